// Loop versioning for the translating tier: which registers of a one-block
// loop (a block ending in a conditional jump back to its own start, emitted
// as a JS loop by compile.ts) provably stay below 2^32 on every iteration.
//
// For such a register the high half is 0 at the top of every iteration, so
// compile.ts emits a second copy of the loop, entered only when a guard
// checks the invariant on entry, in which those high halves are the
// constant 0: V8 then folds away their carries and high-half compares
// (a counter's `add; jlt` becomes one int32 add and one compare). When the
// guard fails the ordinary copy runs, so the facts never need to hold for
// values the analysis did not foresee.
//
// The analysis is interval arithmetic on unsigned values (exact JS numbers
// below 2^53). It starts by assuming every register the block writes is in
// [0, 2^32 - 1] at the top, runs the block once, narrows by the back edge's
// condition, and keeps a register only if its value at the back edge lies
// inside what was assumed at the top; the assumption is then tightened to
// [0, max at the back edge] and the check repeated until nothing changes.
// Anything it does not model (loads, signed or sign-extending operations,
// byte swaps, calls) makes the register unknown.

import type { Program } from "../vm/program.js";
import { isJumpOp } from "./blocks.js";

/** [min, max], both exact integers, 0 <= min <= max < 2^53; undefined = unknown. */
type Range = readonly [number, number] | undefined;

const LIMIT = 2 ** 53;
const U32_MAX = 2 ** 32 - 1;
const FULL32: Range = [0, U32_MAX];

export interface LoopFacts {
  /** Register -> the largest value it has at the top of any iteration (the smallest is 0). */
  readonly top: ReadonlyMap<number, number>;
  /** Slots after which the register they write is known to be below 2^32. */
  readonly zeroHiAfter: ReadonlySet<number>;
}

const ranged = (lo: number, hi: number): Range =>
  lo >= 0 && hi >= lo && hi < LIMIT && Number.isInteger(lo) && Number.isInteger(hi)
    ? [lo, hi]
    : undefined;

/** The smallest 2^n - 1 that covers x (for or/xor of two values up to x). */
function ones(x: number): number {
  let m = 1;
  while (m - 1 < x) m *= 2;
  return m - 1;
}

/** The result of ALU op `aop` (op & 0xf0) on ranges a (dst) and c (source). */
function alu(aop: number, a: Range, c: Range, off: number, isReg: boolean, imm: number): Range {
  switch (aop) {
    case 0x00:
      return a && c ? ranged(a[0] + c[0], a[1] + c[1]) : undefined;
    case 0x10:
      return a && c ? ranged(a[0] - c[1], a[1] - c[0]) : undefined;
    case 0x20:
      return a && c ? ranged(a[0] * c[0], a[1] * c[1]) : undefined;
    case 0x30:
      if (off !== 0 || !a || !c || c[0] === 0) return undefined;
      return ranged(Math.floor(a[0] / c[1]), Math.floor(a[1] / c[0]));
    case 0x90:
      if (off !== 0 || !c || c[0] === 0) return undefined;
      return ranged(0, a ? Math.min(a[1], c[1] - 1) : c[1] - 1);
    case 0x40:
    case 0xa0:
      return a && c ? ranged(0, ones(Math.max(a[1], c[1]))) : undefined;
    case 0x50:
      if (!a && !c) return undefined;
      return ranged(0, Math.min(a ? a[1] : Infinity, c ? c[1] : Infinity));
    case 0x60:
      if (isReg || !a) return undefined;
      return ranged(a[0] * 2 ** imm, a[1] * 2 ** imm);
    case 0x70:
    case 0xc0: // arsh of a value below 2^53 (sign bit clear) is rsh; callers check 32-bit
      if (!a) return undefined;
      return isReg ? ranged(0, a[1]) : ranged(Math.floor(a[0] / 2 ** imm), Math.floor(a[1] / 2 ** imm)); // prettier-ignore
    case 0xb0:
      return off === 0 ? c : undefined;
  }
  return undefined; // neg, endian, anything else
}

/** Narrow `r` by "the jump at slot i was taken" (the loop's back edge). */
function narrow(p: Program, i: number, st: Range[]): void {
  const b = i * 4;
  const w = p.ins[b]!;
  const op = w & 255;
  const d = (w >> 8) & 15;
  const r = st[d];
  if (!r) return;
  const wide = (op & 7) === 5;
  let bound: number | undefined; // the largest value of dst on the taken path
  const j = op & 0xf0;
  const isReg = (op & 8) !== 0;
  const imm = p.ins[b + 2]!;
  if (!isReg) {
    // 64-bit: a negative imm is a huge unsigned value (or a negative signed one): no bound.
    // 32-bit compares see the low half, which is the value when it is below 2^32.
    if (!wide && r[1] > U32_MAX) return;
    const k = wide ? imm : j === 0xa0 || j === 0xb0 ? imm >>> 0 : imm;
    if (k < 0) return;
    if (!wide && (j === 0xc0 || j === 0xd0) && r[1] > 0x7fffffff) return;
    if (j === 0xa0 || j === 0xc0) bound = k - 1;
    else if (j === 0xb0 || j === 0xd0) bound = k;
  } else if (wide) {
    const c = st[(w >> 12) & 15];
    if (!c) return;
    if (j === 0xa0 || j === 0xc0) bound = c[1] - 1;
    else if (j === 0xb0 || j === 0xd0) bound = c[1];
  }
  if (bound === undefined) return;
  // Never taken when the bound is below the minimum: any range is then sound.
  st[d] = bound < r[0] ? [0, 0] : [r[0], Math.min(r[1], bound)];
}

/**
 * Run the block [start, last] once from `top`; the state on the back edge,
 * or undefined when the block holds something other than straight-line code.
 */
function run(
  p: Program,
  start: number,
  last: number,
  top: Map<number, number>,
  zeroHi: Set<number>,
) {
  const st: Range[] = [];
  for (const [r, max] of top) st[r] = [0, max];
  for (let i = start; i <= last;) {
    const b = i * 4;
    const w = p.ins[b]!;
    const op = w & 255;
    const d = (w >> 8) & 15;
    const s = (w >> 12) & 15;
    const cls = op & 7;
    const off = p.ins[b + 1]!;
    const imm = p.ins[b + 2]!;
    if (i === last) {
      if (!isJumpOp(op) || off !== start) return undefined;
      narrow(p, i, st);
      return st;
    }
    if (op === 0 || isJumpOp(op) || op === 0x85 || op === 0x8d || op === 0x95) return undefined;
    if (cls === 7 || cls === 4) {
      const aop = op & 0xf0;
      const isReg = (op & 8) !== 0;
      let result: Range;
      if (cls === 7) {
        const c = isReg ? st[s] : imm >= 0 ? ([imm, imm] as const) : undefined;
        result = alu(aop, st[d], c, off, isReg, imm & 63);
      } else {
        // 32-bit: the low halves; the result is zero-extended, so always below 2^32.
        const low = (x: Range) => (x && x[1] <= U32_MAX ? x : FULL32);
        const c = isReg ? low(st[s]) : ([imm >>> 0, imm >>> 0] as const);
        const a = low(st[d]);
        const signedShift = aop === 0xc0 && a![1] > 0x7fffffff;
        result = signedShift ? undefined : alu(aop, a, c, off, isReg, imm & 31);
        if (!result || result[1] > U32_MAX) result = FULL32;
      }
      st[d] = result;
      if (result && result[1] <= U32_MAX) zeroHi.add(i);
    } else if (cls === 1 || op === 0x18) {
      st[d] = undefined; // loads: a context field may be a 64-bit pointer
    } else if (cls === 0) {
      for (let r = 0; r <= 5; r++) st[r] = undefined; // LD_ABS/LD_IND
    } else if ((op & 0xe0) === 0xc0) {
      st[0] = undefined; // atomics: fetch forms write src, cmpxchg writes r0
      st[s] = undefined;
    }
    i += op === 0x18 ? 2 : 1;
  }
  return undefined;
}

/** Registers the block [start, last] writes (ALU destinations only: the others become unknown). */
function written(p: Program, start: number, last: number): number[] {
  const regs = new Set<number>();
  for (let i = start; i < last; i++) {
    const w = p.ins[i * 4]!;
    const cls = w & 7;
    if (cls === 7 || cls === 4) regs.add((w >> 8) & 15);
  }
  return [...regs];
}

/** Facts for the one-block loop [start, last] (`last` is its jump back), or undefined if none. */
export function loopFacts(p: Program, start: number, last: number): LoopFacts | undefined {
  let top = new Map<number, number>(written(p, start, last).map((r) => [r, U32_MAX]));
  // Each round either tightens a register's bound or drops a register, so
  // this ends; the bound on rounds only guards against slow convergence.
  for (let round = 0; round < 16 && top.size > 0; round++) {
    const zeroHi = new Set<number>();
    const back = run(p, start, last, top, zeroHi);
    if (!back) return undefined;
    const next = new Map<number, number>();
    let stable = true;
    for (const [r, max] of top) {
      const at = back[r];
      if (!at || at[1] > max) {
        stable = false; // not inductive for this register: drop it
        continue;
      }
      next.set(r, at[1]);
      if (at[1] !== max) stable = false;
    }
    if (stable) return { top, zeroHiAfter: zeroHi };
    top = next;
  }
  return undefined;
}
