// The instructions whose text starts with a register: ALU (`w1 += 0x2`,
// `r1 = (s8)r2`, `r1 = -r1`, `r1 = be16 r1`), loads (`r1 = *(u32 *)(r2 +
// 0x4)`, `r0 = *(u8 *)skb[0xe]`, `r1 = 0x0 ll`) and the atomics written as
// calls (`r0 = atomic_fetch_add((u64 *)(r1 + 0x0), r0)`, `xchg_64`,
// `cmpxchg_64`, `load_acquire`).

import {
  ADDR_SPACE_CAST_OFF,
  ATOMIC_FETCH,
  AluOp,
  AtomicOp,
  ByteOrder,
  type Instruction,
  InsnClass,
  Mode,
  OP_LDDW,
  SIGNED_DIVMOD_OFF,
  Size,
  Source,
} from "../isa/index.js";
import { ALU_OPERATORS, ATOMIC_ARITH, SIGNED_ALU_OPERATORS, invert } from "../disasm/syntax.js";
import {
  type Cursor,
  type RegRef,
  SIZE_BY_STYPE,
  SIZE_BY_UTYPE,
  insn,
  sameWidth,
  sizeOf,
} from "./cursor.js";

const ALU_BY_OPERATOR = invert(ALU_OPERATORS);
const SIGNED_ALU_BY_OPERATOR = invert(SIGNED_ALU_OPERATORS);
const ATOMIC_BY_NAME = new Map([...ATOMIC_ARITH].map(([op, a]) => [a.name, op]));
const SWAP = /^(be|le|bswap)(16|32|64)$/;

function aluClass(dst: RegRef): InsnClass {
  return dst.wide ? InsnClass.ALU : InsnClass.ALU64;
}

/** `r1 += r2`, `w1 s/= 0x3`. */
function parseCompound(c: Cursor, dst: RegRef, operator: string, column: number): Instruction {
  const signed = SIGNED_ALU_BY_OPERATOR.get(operator);
  const op = signed ?? ALU_BY_OPERATOR.get(operator);
  if (op === undefined || op === AluOp.MOV) c.fail(`unknown operator '${operator}'`, column);
  const off = signed === undefined ? 0 : SIGNED_DIVMOD_OFF;
  const cls = aluClass(dst);
  if (c.isReg()) {
    const src = c.reg();
    sameWidth(c, dst, src);
    return insn(cls | op | Source.X, dst.n, src.n, off, 0);
  }
  return insn(cls | op | Source.K, dst.n, 0, off, c.imm32());
}

/** After `rD = *`: `(u32 *)(r2 + 0x4)`, `(s16 *)(...)` or `(u8 *)skb[...]`. */
function parseLoad(c: Cursor, dst: RegRef): Instruction {
  const t = c.castType();
  const unsigned = SIZE_BY_UTYPE.get(t.name);
  const signed = SIZE_BY_STYPE.get(t.name);
  if (c.accept("skb")) {
    if (unsigned === undefined || unsigned === Size.DW)
      c.fail(`no packet load of ${t.name}`, t.column);
    if (dst.n !== 0 || dst.wide) c.fail("packet loads always write r0", dst.column);
    c.expect("[");
    const i = c.isReg()
      ? insn(InsnClass.LD | Mode.IND | unsigned, 0, c.reg64(), 0, 0)
      : insn(InsnClass.LD | Mode.ABS | unsigned, 0, 0, 0, c.imm32());
    c.expect("]");
    return i;
  }
  c.expect("(");
  const { base, off } = c.address();
  c.expect(")");
  if (signed !== undefined) {
    if (dst.wide) c.fail("sign-extending loads write an r register", dst.column);
    return insn(InsnClass.LDX | Mode.MEMSX | signed, dst.n, base, off, 0);
  }
  if (unsigned === undefined) c.fail(`unknown access type '${t.name}'`, t.column);
  if (dst.wide && unsigned === Size.DW) c.fail("a 64-bit load writes an r register", dst.column);
  return insn(InsnClass.LDX | Mode.MEM | unsigned, dst.n, base, off, 0);
}

function atomicSize(dst: RegRef): Size {
  return dst.wide ? Size.W : Size.DW;
}

function sameReg(c: Cursor, want: RegRef, got: RegRef): void {
  sameWidth(c, want, got);
  if (want.n !== got.n) c.fail(`must be the same register as the destination`, got.column);
}

/** `name(` ... `)` forms: atomics, load_acquire, addr_space_cast. */
function parseCallLike(c: Cursor, dst: RegRef, name: string, column: number): Instruction {
  c.expect("(");
  const fetchOp = /^atomic_fetch_(\w+)$/.exec(name);
  let i: Instruction;
  if (fetchOp) {
    const op = ATOMIC_BY_NAME.get(fetchOp[1]!);
    if (op === undefined) c.fail(`no atomic '${name}'`, column);
    const s = sizeOf(c, SIZE_BY_UTYPE);
    c.expect("(");
    const { base, off } = c.address();
    c.expect(")");
    c.expect(",");
    const val = c.reg();
    sameReg(c, dst, val);
    if (s !== atomicSize(dst)) c.fail("the access size does not match the register", column);
    i = insn(InsnClass.STX | Mode.ATOMIC | s, base, val.n, off, op | ATOMIC_FETCH);
  } else if (name === "xchg_64" || name === "xchg32_32") {
    const { base, off } = c.address();
    c.expect(",");
    const val = c.reg();
    sameReg(c, dst, val);
    if ((name === "xchg32_32") !== dst.wide)
      c.fail(`${name} does not match ${dst.wide ? "w" : "r"}`, column);
    i = insn(InsnClass.STX | Mode.ATOMIC | atomicSize(dst), base, val.n, off, AtomicOp.XCHG);
  } else if (name === "cmpxchg_64" || name === "cmpxchg32_32") {
    if (dst.n !== 0) c.fail("cmpxchg writes r0", dst.column);
    if ((name === "cmpxchg32_32") !== dst.wide)
      c.fail(`${name} does not match ${dst.wide ? "w" : "r"}`, column);
    const { base, off } = c.address();
    c.expect(",");
    sameReg(c, dst, c.reg());
    c.expect(",");
    const val = c.reg();
    sameWidth(c, dst, val);
    i = insn(InsnClass.STX | Mode.ATOMIC | atomicSize(dst), base, val.n, off, AtomicOp.CMPXCHG);
  } else if (name === "load_acquire") {
    const s = sizeOf(c, SIZE_BY_UTYPE);
    c.expect("(");
    const { base, off } = c.address();
    c.expect(")");
    i = insn(InsnClass.STX | Mode.ATOMIC | s, dst.n, base, off, AtomicOp.LOAD_ACQ);
  } else if (name === "addr_space_cast") {
    if (dst.wide) c.fail("addr_space_cast writes an r register", dst.column);
    const src = c.reg64();
    c.expect(",");
    const to = Number(c.bigint(0n, 0xffffn, "an address space"));
    c.expect(",");
    const from = Number(c.bigint(0n, 0xffffn, "an address space"));
    i = insn(
      InsnClass.ALU64 | AluOp.MOV | Source.X,
      dst.n,
      src,
      ADDR_SPACE_CAST_OFF,
      (to << 16) | from,
    );
  } else {
    c.fail(`unknown operation '${name}'`, column);
  }
  c.expect(")");
  return i;
}

/** Everything after `rD =`. */
function parseRhs(c: Cursor, dst: RegRef): Instruction {
  const cls = aluClass(dst);
  if (c.accept("*")) return parseLoad(c, dst);
  if (c.peek()?.text === "-" && c.isReg(1)) {
    c.next("-");
    sameReg(c, dst, c.reg());
    return insn(cls | AluOp.NEG, dst.n, 0, 0, 0);
  }
  if (c.accept("(")) {
    const t = c.next("s8, s16 or s32");
    const bits = { s8: 8, s16: 16, s32: 32 }[t.text];
    if (bits === undefined || (bits === 32 && dst.wide))
      c.fail(`cannot sign-extend from '${t.text}'`, t.column);
    c.expect(")");
    const src = c.reg();
    sameWidth(c, dst, src);
    return insn(cls | AluOp.MOV | Source.X, dst.n, src.n, bits, 0);
  }
  if (c.isReg()) {
    const src = c.reg();
    sameWidth(c, dst, src);
    return insn(cls | AluOp.MOV | Source.X, dst.n, src.n, 0, 0);
  }
  const t = c.peek();
  if (t?.kind === "ident") {
    c.next("an operation");
    const swap = SWAP.exec(t.text);
    if (!swap) return parseCallLike(c, dst, t.text, t.column);
    sameReg(c, dst, c.reg());
    if (dst.wide) c.fail("byte swaps are written with r registers", dst.column);
    const opcode =
      swap[1] === "bswap"
        ? InsnClass.ALU64 | AluOp.END
        : InsnClass.ALU | AluOp.END | (swap[1] === "be" ? ByteOrder.TO_BE : ByteOrder.TO_LE);
    return insn(opcode, dst.n, 0, 0, Number(swap[2]));
  }
  const column = c.column();
  const value = c.bigint(-(1n << 63n), (1n << 64n) - 1n, "an immediate");
  if (c.accept("ll")) {
    if (dst.wide) c.fail("lddw writes an r register", dst.column);
    const imm64 = BigInt.asUintN(64, value);
    return { ...insn(OP_LDDW, dst.n, 0, 0, Number(BigInt.asIntN(32, imm64))), imm64 };
  }
  if (value < -(1n << 31n) || value >= 1n << 32n) c.fail("immediate out of range (add ll)", column);
  return insn(cls | AluOp.MOV | Source.K, dst.n, 0, 0, Number(BigInt.asIntN(32, value)));
}

export function parseAssign(c: Cursor): Instruction {
  const dst = c.reg();
  const op = c.next("an operator");
  const i = op.text === "=" ? parseRhs(c, dst) : parseCompound(c, dst, op.text, op.column);
  c.end();
  return i;
}
