// One instruction's text (llvm-objdump syntax) -> Instruction. The words come
// from bpf/disasm/syntax.ts, the same tables the printer uses. Jumps take a
// number (`goto +0x3`) or a label (`goto out`); the caller resolves labels.

import {
  AtomicOp,
  CallSrc,
  type Instruction,
  InsnClass,
  JmpOp,
  Mode,
  OP_CALL,
  OP_CALLX,
  OP_EXIT,
  OP_GOTOL,
  OP_JA,
  OP_LDDW,
  Size,
  Source,
} from "../isa/index.js";
import { ATOMIC_ARITH, JMP_COMPARISONS, invert } from "../disasm/syntax.js";
import { type Cursor, SIZE_BY_UTYPE, insn, sameWidth, sizeOf } from "./cursor.js";
import { parseAssign } from "./parse-assign.js";

const JMP_BY_COMPARISON = invert(JMP_COMPARISONS);
const ATOMIC_BY_OPERATOR = new Map([...ATOMIC_ARITH].map(([op, a]) => [a.operator, op]));

export interface Parsed {
  insn: Instruction;
  /** `call N`: helper or BPF-to-BPF call, which the text alone does not say. */
  bareCall?: boolean;
}

/** `goto +0x3` or `goto label`: fills off (or imm for gotol) or target. */
function jumpTarget(c: Cursor, i: Instruction, field: "off" | "imm"): Instruction {
  const t = c.peek();
  if (t?.kind === "ident") {
    c.next("a label");
    i.target = t.text;
  } else {
    i[field] = field === "off" ? c.off16("a jump offset") : c.imm32("a jump offset");
  }
  c.end();
  return i;
}

function parseCall(c: Cursor): Parsed {
  const t = c.peek();
  if (t?.kind === "ident" && (t.text === "local" || t.text === "kfunc") && c.peek(1)) {
    c.next("call kind");
    const src = t.text === "local" ? CallSrc.LOCAL : CallSrc.KFUNC;
    const i = insn(OP_CALL, 0, src, 0, c.imm32("a call immediate"));
    c.end();
    return { insn: i };
  }
  if (t?.kind === "ident")
    return { insn: jumpTarget(c, insn(OP_CALL, 0, CallSrc.LOCAL, 0, 0), "imm") };
  const i = insn(OP_CALL, 0, CallSrc.HELPER, 0, c.imm32("a helper id"));
  c.end();
  return { insn: i, bareCall: true };
}

function parseIf(c: Cursor): Instruction {
  const dst = c.reg();
  const cmpTok = c.next("a comparison");
  const op = JMP_BY_COMPARISON.get(cmpTok.text);
  if (op === undefined) c.fail(`unknown comparison '${cmpTok.text}'`, cmpTok.column);
  const cls = dst.wide ? InsnClass.JMP32 : InsnClass.JMP;
  let i: Instruction;
  if (c.isReg()) {
    const src = c.reg();
    sameWidth(c, dst, src);
    i = insn(cls | op | Source.X, dst.n, src.n, 0, 0);
  } else {
    i = insn(cls | op | Source.K, dst.n, 0, 0, c.imm32());
  }
  c.expect("goto");
  return jumpTarget(c, i, "off");
}

/** `lock *(u64 *)(r1 + 0x0) += r2`. */
function parseLock(c: Cursor): Instruction {
  c.expect("*");
  const s = sizeOf(c, SIZE_BY_UTYPE);
  if (s !== Size.W && s !== Size.DW) c.fail("atomics are 32 or 64 bit");
  c.expect("(");
  const { base, off } = c.address();
  c.expect(")");
  const opTok = c.next("an atomic operator");
  const op = ATOMIC_BY_OPERATOR.get(opTok.text);
  if (op === undefined) c.fail(`no atomic '${opTok.text}'`, opTok.column);
  const src = c.reg();
  c.end();
  return insn(InsnClass.STX | Mode.ATOMIC | s, base, src.n, off, op);
}

/** `*(u32 *)(r1 - 0x8) = 0x5` (ST) or `= r2` / `= w2` (STX). */
function parseStore(c: Cursor): Instruction {
  const s = sizeOf(c, SIZE_BY_UTYPE);
  c.expect("(");
  const { base, off } = c.address();
  c.expect(")");
  c.expect("=");
  let i: Instruction;
  if (c.isReg()) {
    const src = c.reg();
    if (src.wide && s === Size.DW) c.fail("a 64-bit store takes an r register", src.column);
    i = insn(InsnClass.STX | Mode.MEM | s, base, src.n, off, 0);
  } else {
    i = insn(InsnClass.ST | Mode.MEM | s, base, 0, off, c.imm32());
  }
  c.end();
  return i;
}

/** `store_release((u64 *)(r1 + 0x0), r2)` (LLVM 21 syntax). */
function parseStoreRelease(c: Cursor): Instruction {
  c.expect("(");
  const s = sizeOf(c, SIZE_BY_UTYPE);
  c.expect("(");
  const { base, off } = c.address();
  c.expect(")");
  c.expect(",");
  const src = c.reg();
  c.expect(")");
  c.end();
  return insn(InsnClass.STX | Mode.ATOMIC | s, base, src.n, off, AtomicOp.STORE_REL);
}

function parseLdPseudo(c: Cursor): Instruction {
  const dst = c.reg64();
  c.expect(",");
  const src = Number(c.bigint(1n, 15n, "a pseudo source"));
  c.expect(",");
  const imm64 = BigInt.asUintN(64, c.bigint(-(1n << 63n), (1n << 64n) - 1n, "an immediate"));
  c.end();
  return { ...insn(OP_LDDW, dst, src, 0, Number(BigInt.asIntN(32, imm64))), imm64 };
}

/** The statements that do not start with a register. */
function parseKeyword(c: Cursor, word: string): Parsed | undefined {
  switch (word) {
    case "exit":
      c.end();
      return { insn: insn(OP_EXIT, 0, 0, 0, 0) };
    case "goto":
      return { insn: jumpTarget(c, insn(OP_JA, 0, 0, 0, 0), "off") };
    case "gotol":
      return { insn: jumpTarget(c, insn(OP_GOTOL, 0, 0, 0, 0), "imm") };
    case "may_goto":
      return { insn: jumpTarget(c, insn(InsnClass.JMP | JmpOp.JCOND, 0, 0, 0, 0), "off") };
    case "call":
      return parseCall(c);
    case "callx": {
      const r = c.reg64();
      c.end();
      return { insn: insn(OP_CALLX, r, 0, 0, 0) };
    }
    case "if":
      return { insn: parseIf(c) };
    case "lock":
      return { insn: parseLock(c) };
    case "ld_pseudo":
      return { insn: parseLdPseudo(c) };
    case "store_release":
      return { insn: parseStoreRelease(c) };
  }
  return undefined;
}

/** Parse one instruction; the register-led forms live in parse-assign.ts. */
export function parseStatement(c: Cursor): Parsed {
  const first = c.peek();
  if (!first) return c.fail("expected an instruction");
  if (first.text === "*") {
    c.next("*");
    return { insn: parseStore(c) };
  }
  if (first.kind === "ident" && !c.isReg()) {
    c.next("an instruction");
    const parsed = parseKeyword(c, first.text);
    if (!parsed) c.fail(`unknown instruction '${first.text}'`, first.column);
    return parsed;
  }
  return { insn: parseAssign(c) };
}
