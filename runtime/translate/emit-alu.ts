// JavaScript for ALU instructions and jump conditions. Registers are locals
// `lN` (low half) and `hN` (high half), both int32: V8 keeps them in
// machine registers, so 64-bit arithmetic is a few 32-bit instructions with
// an explicit carry and nothing is ever allocated. Immediates are folded in
// as literals, so V8 constant-folds the high half of a sign-extended imm
// and specialises shifts by a constant.
//
// The semantics mirror runtime/vm/interpreter.ts case for case; the
// differential tests (test/vm/translate-*.test.ts) hold them together.

export const lo = (r: number) => `l${r}`;
export const hi = (r: number) => `h${r}`;

/** The second operand of an instruction: a register's halves or a sign-extended imm. */
export interface Operand {
  l: string;
  h: string;
}

export function operand(isReg: boolean, src: number, imm: number): Operand {
  return isReg ? { l: lo(src), h: hi(src) } : { l: `${imm | 0}`, h: `${imm >> 31}` };
}

function shift64(kind: number, d: number, n: string, constant: number | undefined): string {
  const L = lo(d);
  const H = hi(d);
  // With a constant count, only one branch is emitted.
  const big = constant === undefined ? undefined : constant >= 32;
  const lt = (n2: string) =>
    kind === 0x60
      ? `${H} = (${H} << ${n2}) | (${L} >>> (32 - ${n2})); ${L} = ${L} << ${n2};`
      : kind === 0x70
        ? `${L} = (${L} >>> ${n2}) | (${H} << (32 - ${n2})); ${H} = ${H} >>> ${n2} | 0;`
        : `${L} = (${L} >>> ${n2}) | (${H} << (32 - ${n2})); ${H} = ${H} >> ${n2};`;
  const ge = (n2: string) =>
    kind === 0x60
      ? `${H} = ${L} << (${n2} - 32); ${L} = 0;`
      : kind === 0x70
        ? `${L} = ${H} >>> (${n2} - 32) | 0; ${H} = 0;`
        : `${L} = ${H} >> (${n2} - 32); ${H} = ${H} >> 31;`;
  if (constant === 0) return "";
  if (big === true) return ge(n);
  if (big === false) return lt(n);
  return `{ const n = ${n}; if (n >= 32) { ${ge("n")} } else if (n !== 0) { ${lt("n")} } }`;
}

const SWAP32 = (v: string) =>
  `(((${v} & 0xff) << 24) | ((${v} & 0xff00) << 8) | ((${v} >>> 8) & 0xff00) | (${v} >>> 24))`;

function endian(d: number, bits: number, swap: boolean): string {
  const L = lo(d);
  const H = hi(d);
  if (bits === 16) {
    const v = swap ? `((${L} & 0xff) << 8) | ((${L} >>> 8) & 0xff)` : `${L} & 0xffff`;
    return `${L} = ${v}; ${H} = 0;`;
  }
  if (bits === 32) return `${swap ? `${L} = ${SWAP32(L)}; ` : ""}${H} = 0;`;
  return swap ? `{ const t = ${L}; ${L} = ${SWAP32(H)}; ${H} = ${SWAP32("t")}; }` : "";
}

/** An ALU64 instruction other than div/mod (a call-out, see emit-ops.ts). */
export function alu64(op: number, d: number, s: Operand, off: number, imm: number): string {
  const L = lo(d);
  const H = hi(d);
  const isReg = (op & 8) !== 0;
  switch (op & 0xf0) {
    case 0x00:
      return `{ const a = ${L}, t = (a + ${s.l}) | 0; ${H} = (${H} + ${s.h} + ((t >>> 0) < (a >>> 0) ? 1 : 0)) | 0; ${L} = t; }`;
    case 0x10:
      return `{ const a = ${L}, c = ${s.l}; ${H} = (${H} - ${s.h} - ((a >>> 0) < (c >>> 0) ? 1 : 0)) | 0; ${L} = (a - c) | 0; }`;
    case 0x20:
      return `{ const a = ${L}, b = ${s.l}, bh = ${s.h}; ${H} = (mulhiU32(a, b) + Math.imul(a, bh) + Math.imul(${H}, b)) | 0; ${L} = Math.imul(a, b); }`;
    case 0x40:
      return `${L} |= ${s.l}; ${H} |= ${s.h};`;
    case 0x50:
      return `${L} &= ${s.l}; ${H} &= ${s.h};`;
    case 0xa0:
      return `${L} ^= ${s.l}; ${H} ^= ${s.h};`;
    case 0x60:
    case 0x70:
    case 0xc0:
      return shift64(op & 0xf0, d, isReg ? `(${s.l} & 63)` : `${imm & 63}`, isReg ? undefined : imm & 63); // prettier-ignore
    case 0x80:
      return `{ const t = -${L} | 0; ${H} = (~${H} + (t === 0 ? 1 : 0)) | 0; ${L} = t; }`;
    case 0xb0:
      if (off === 0 || !isReg) return `${L} = ${s.l}; ${H} = ${s.h};`;
      if (off === 32) return `${L} = ${s.l}; ${H} = ${L} >> 31;`;
      return `${L} = (${s.l} << ${32 - off}) >> ${32 - off}; ${H} = ${L} >> 31;`;
    case 0xd0:
      return endian(d, imm, true);
  }
  throw new Error(`alu64 0x${op.toString(16)}`);
}

/**
 * The low half of an ALU64 instruction whose result is known to be below
 * 2^32 (the fast copy of a loop, loop-facts.ts: the caller then sets the
 * high half to 0), when that low half depends only on the operands' low
 * halves: add, sub, mul, or, and, xor, left shift by a constant, mov. No
 * carry is computed. Undefined for the others (the full form is used).
 */
export function alu64Low(
  op: number,
  d: number,
  s: Operand,
  off: number,
  imm: number,
): string | undefined {
  // prettier-ignore
  const L = lo(d);
  const isReg = (op & 8) !== 0;
  switch (op & 0xf0) {
    case 0x00: return `${L} = (${L} + ${s.l}) | 0;`; // prettier-ignore
    case 0x10: return `${L} = (${L} - ${s.l}) | 0;`; // prettier-ignore
    case 0x20: return `${L} = Math.imul(${L}, ${s.l});`; // prettier-ignore
    case 0x40: return `${L} |= ${s.l};`; // prettier-ignore
    case 0x50: return `${L} &= ${s.l};`; // prettier-ignore
    case 0xa0: return `${L} ^= ${s.l};`; // prettier-ignore
    case 0x60: return isReg ? undefined : (imm & 63) >= 32 ? `${L} = 0;` : `${L} <<= ${imm & 31};`; // prettier-ignore
    case 0xb0: return off === 0 || !isReg ? `${L} = ${s.l};` : undefined; // prettier-ignore
  }
  return undefined;
}

/** An ALU (32-bit) instruction: the result is zero-extended into the high half. */
export function alu32(op: number, d: number, s: Operand, off: number, imm: number): string {
  const L = lo(d);
  const set = (v: string) => `${L} = ${v}; ${hi(d)} = 0;`;
  switch (op & 0xf0) {
    case 0x00: return set(`(${L} + ${s.l}) | 0`); // prettier-ignore
    case 0x10: return set(`(${L} - ${s.l}) | 0`); // prettier-ignore
    case 0x20: return set(`Math.imul(${L}, ${s.l})`); // prettier-ignore
    case 0x30: return set(`divmod32(${L}, ${s.l}, ${off === 1}, false)`); // prettier-ignore
    case 0x90: return set(`divmod32(${L}, ${s.l}, ${off === 1}, true)`); // prettier-ignore
    case 0x40: return set(`${L} | ${s.l}`); // prettier-ignore
    case 0x50: return set(`${L} & ${s.l}`); // prettier-ignore
    case 0xa0: return set(`${L} ^ ${s.l}`); // prettier-ignore
    case 0x60: return set(`${L} << ${s.l}`); // prettier-ignore
    case 0x70: return set(`(${L} >>> ${s.l}) | 0`); // prettier-ignore
    case 0xc0: return set(`${L} >> ${s.l}`); // prettier-ignore
    case 0x80: return set(`-${L} | 0`); // prettier-ignore
    case 0xb0:
      if (off === 8 || off === 16) return set(`(${s.l} << ${32 - off}) >> ${32 - off}`);
      return set(s.l);
    case 0xd0:
      return endian(d, imm, (op & 8) !== 0);
  }
  throw new Error(`alu32 0x${op.toString(16)}`);
}

/** The condition of a conditional jump (JMP: 64-bit, JMP32: low halves), as a JS expression. */
export function condition(op: number, d: number, s: Operand): string {
  const L = lo(d);
  const H = hi(d);
  const j = op & 0xf0;
  if ((op & 7) === 6) {
    const u = (x: string) => `(${x} >>> 0)`;
    switch (j) {
      case 0x10: return `${L} === ${s.l}`; // prettier-ignore
      case 0x50: return `${L} !== ${s.l}`; // prettier-ignore
      case 0x20: return `${u(L)} > ${u(s.l)}`; // prettier-ignore
      case 0x30: return `${u(L)} >= ${u(s.l)}`; // prettier-ignore
      case 0xa0: return `${u(L)} < ${u(s.l)}`; // prettier-ignore
      case 0xb0: return `${u(L)} <= ${u(s.l)}`; // prettier-ignore
      case 0x60: return `${L} > ${s.l}`; // prettier-ignore
      case 0x70: return `${L} >= ${s.l}`; // prettier-ignore
      case 0xc0: return `${L} < ${s.l}`; // prettier-ignore
      case 0xd0: return `${L} <= ${s.l}`; // prettier-ignore
      case 0x40: return `(${L} & ${s.l}) !== 0`; // prettier-ignore
    }
    throw new Error(`jmp32 0x${op.toString(16)}`);
  }
  switch (j) {
    case 0x10: return `${L} === ${s.l} && ${H} === ${s.h}`; // prettier-ignore
    case 0x50: return `(${L} !== ${s.l} || ${H} !== ${s.h})`; // prettier-ignore
    case 0x40: return `((${L} & ${s.l}) | (${H} & ${s.h})) !== 0`; // prettier-ignore
  }
  // Ordered compares: the high halves decide unless equal, then the low
  // halves (always unsigned) do. Unsigned high halves compare as `>>> 0`.
  const signed = j === 0x60 || j === 0x70 || j === 0xc0 || j === 0xd0;
  const hv = (x: string) => (signed ? x : `(${x} >>> 0)`);
  const strict = { 0x20: ">", 0x30: ">", 0xa0: "<", 0xb0: "<", 0x60: ">", 0x70: ">", 0xc0: "<", 0xd0: "<" }[j]; // prettier-ignore
  const full = { 0x20: ">", 0x30: ">=", 0xa0: "<", 0xb0: "<=", 0x60: ">", 0x70: ">=", 0xc0: "<", 0xd0: "<=" }[j]; // prettier-ignore
  if (strict === undefined || full === undefined) throw new Error(`jmp 0x${op.toString(16)}`);
  if (s.h === "0" && !signed) {
    // Non-negative immediate, unsigned compare: the common loop bound.
    return strict === "<"
      ? `(${H} === 0 && (${L} >>> 0) ${full} ${Number(s.l) >>> 0})`
      : `(${H} !== 0 || (${L} >>> 0) ${full} ${Number(s.l) >>> 0})`;
  }
  const lv = s.h === "0" || s.h === "-1" ? `${Number(s.l) >>> 0}` : `(${s.l} >>> 0)`;
  return `(${hv(H)} ${strict} ${hv(s.h)} || (${H} === ${s.h} && (${L} >>> 0) ${full} ${lv}))`;
}
