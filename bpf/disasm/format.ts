// One instruction -> the text llvm-objdump-19 prints for it, byte pattern
// for byte pattern: the fields LLVM's decoder ignores are ignored here too
// (src of `r1 += 0x5`, imm of `r1 += r2`...), and every pattern LLVM 19
// rejects (reserved fields, r12-r15, unknown opcodes) prints `<unknown>`.
// The rules were read from LLVM's BPFInstrInfo.td and checked against
// llvm-objdump-19 over all 256 opcodes (test/isa/llvm-sweep.test.ts).

import {
  AluOp,
  AtomicOp,
  CallSrc,
  type Instruction,
  InsnClass,
  JmpOp,
  Mode,
  OP_LDDW,
  Size,
  Source,
  SIGNED_DIVMOD_OFF,
  ADDR_SPACE_CAST_OFF,
  ATOMIC_FETCH,
  aluOp,
  insnClass,
  jmpOp,
  mode,
  size,
  source,
} from "../isa/index.js";
import {
  ALU_OPERATORS,
  ATOMIC_ARITH,
  JMP_COMPARISONS,
  SIGNED_ALU_OPERATORS,
  SIGNED_TYPES,
  SWAP_WIDTHS,
  UNKNOWN,
  UNSIGNED_TYPES,
  hex,
  signedHex,
} from "./syntax.js";

export interface FormatContext {
  /** Slot index of the instruction; with `symbolize`, jumps get a `<prog+0x98>` note. */
  slot?: number;
  /** Names a byte offset of the section the way objdump does (`prog+0x98`). */
  symbolize?: (byteOffset: number) => string | undefined;
  /**
   * `llvm-objdump --mcpu=v4` (LLVM's ALU32 feature): 32-bit and narrower
   * loads/stores name `w` registers and 32-bit atomics other than add decode.
   */
  alu32?: boolean;
  /**
   * Print what LLVM 19 cannot: load_acquire/store_release (Linux 6.15) in
   * LLVM 21's syntax, and the high half of a pseudo `lddw`. Off by default,
   * because then the text is no longer what llvm-objdump-19 prints.
   */
  extended?: boolean;
}

/** Thrown inside this file when LLVM would not decode the pattern. */
class Unknown extends Error {}

/** LLVM's GPR class holds r0-r11 (r11 is its internal stack register). */
function reg(n: number, prefix: "r" | "w" = "r"): string {
  if (n > 11) throw new Unknown();
  return `${prefix}${n}`;
}

function memOperand(base: number, off: number): string {
  return `${reg(base)} ${off < 0 ? "-" : "+"} ${hex(Math.abs(off))}`;
}

function jumpTarget(delta: number, ctx: FormatContext): string {
  const text = signedHex(delta);
  if (ctx.slot === undefined || !ctx.symbolize) return text;
  const name = ctx.symbolize((ctx.slot + 1 + delta) * 8);
  return name === undefined ? text : `${text} <${name}>`;
}

function formatAlu(insn: Instruction, cls: InsnClass): string {
  const p = cls === InsnClass.ALU64 ? "r" : "w";
  const op = aluOp(insn.opcode);
  const x = source(insn.opcode) === Source.X;
  const dst = reg(insn.dst, p);
  if (op === AluOp.NEG) {
    if (x) throw new Unknown();
    return `${dst} = -${dst}`;
  }
  if (op === AluOp.END) {
    if (!(SWAP_WIDTHS as readonly number[]).includes(insn.imm)) throw new Unknown();
    if (cls === InsnClass.ALU64 && x) throw new Unknown();
    const name = cls === InsnClass.ALU64 ? "bswap" : x ? "be" : "le";
    return `${reg(insn.dst)} = ${name}${insn.imm} ${reg(insn.dst)}`;
  }
  if (op === AluOp.MOV && x && insn.off !== 0) {
    const src = reg(insn.src, p);
    if (insn.off === 8 || insn.off === 16 || (insn.off === 32 && p === "r")) {
      return `${dst} = (s${insn.off})${src}`;
    }
    if (insn.off === ADDR_SPACE_CAST_OFF && p === "r") {
      const imm = insn.imm >>> 0;
      return `${dst} = addr_space_cast(${src}, ${hex(imm >>> 16)}, ${hex(imm & 0xffff)})`;
    }
    throw new Unknown();
  }
  const operator =
    insn.off === 0
      ? ALU_OPERATORS.get(op)
      : insn.off === SIGNED_DIVMOD_OFF
        ? SIGNED_ALU_OPERATORS.get(op)
        : undefined;
  if (operator === undefined) throw new Unknown();
  return `${dst} ${operator} ${x ? reg(insn.src, p) : hex(insn.imm)}`;
}

function formatJump(insn: Instruction, cls: InsnClass, ctx: FormatContext): string {
  const op = jmpOp(insn.opcode);
  const x = source(insn.opcode) === Source.X;
  const jmp64 = cls === InsnClass.JMP;
  switch (op) {
    case JmpOp.JA:
      if (x) break;
      return jmp64 ? `goto ${jumpTarget(insn.off, ctx)}` : `gotol ${jumpTarget(insn.imm, ctx)}`;
    case JmpOp.CALL:
      if (!jmp64) break;
      if (x) return `callx ${reg(insn.dst)}`;
      // objdump ignores src; the extended text keeps it so that it assembles back.
      if (ctx.extended && insn.src === CallSrc.KFUNC) return `call kfunc ${hex(insn.imm)}`;
      if (ctx.extended && insn.src === CallSrc.LOCAL && insn.imm >= 0) {
        return `call local ${hex(insn.imm)}`;
      }
      return `call ${hex(insn.imm)}`;
    case JmpOp.EXIT:
      if (!jmp64 || x || insn.imm !== 0) break;
      return "exit";
    case JmpOp.JCOND:
      if (!jmp64 || x) break;
      return `may_goto ${jumpTarget(insn.off, ctx)}`;
    default: {
      const cmp = JMP_COMPARISONS.get(op);
      if (cmp === undefined) break;
      const p = jmp64 ? "r" : "w";
      const rhs = x ? reg(insn.src, p) : hex(insn.imm);
      return `if ${reg(insn.dst, p)} ${cmp} ${rhs} goto ${jumpTarget(insn.off, ctx)}`;
    }
  }
  throw new Unknown();
}

function formatLd(insn: Instruction, ctx: FormatContext): string {
  if (insn.opcode === OP_LDDW) {
    if (insn.off !== 0) throw new Unknown();
    const imm64 = insn.imm64 ?? BigInt(insn.imm >>> 0);
    if (insn.src === 0) return `${reg(insn.dst)} = ${hex(BigInt.asIntN(64, imm64))} ll`;
    // LLVM 19 prints only the low half of a pseudo lddw's immediate.
    const shown = ctx.extended ? imm64 : BigInt(insn.imm >>> 0);
    return `ld_pseudo\t${reg(insn.dst)}, ${hex(insn.src)}, ${hex(shown)}`;
  }
  const type = UNSIGNED_TYPES.get(size(insn.opcode));
  if (type === undefined || size(insn.opcode) === Size.DW) throw new Unknown();
  if (mode(insn.opcode) === Mode.ABS) return `r0 = *(${type} *)skb[${hex(insn.imm)}]`;
  if (mode(insn.opcode) === Mode.IND) return `r0 = *(${type} *)skb[${reg(insn.src)}]`;
  throw new Unknown();
}

/** `w` for 32-bit-or-narrower values when ALU32 is on, as LLVM's BPFALU32 decoder table. */
function valuePrefix(s: Size, ctx: FormatContext): "r" | "w" {
  return ctx.alu32 && s !== Size.DW ? "w" : "r";
}

function formatAtomic(insn: Instruction, ctx: FormatContext): string {
  const s = size(insn.opcode);
  const type = UNSIGNED_TYPES.get(s)!;
  const mem = memOperand(insn.dst, insn.off);
  if (ctx.extended && (insn.imm === AtomicOp.LOAD_ACQ || insn.imm === AtomicOp.STORE_REL)) {
    const p = s === Size.DW ? "r" : "w";
    return insn.imm === AtomicOp.LOAD_ACQ
      ? `${reg(insn.dst, p)} = load_acquire((${type} *)(${memOperand(insn.src, insn.off)}))`
      : `store_release((${type} *)(${mem}), ${reg(insn.src, p)})`;
  }
  if (s !== Size.W && s !== Size.DW) throw new Unknown();
  const op = insn.imm & 0xf0;
  const fetch = (insn.imm & 0x0f) === ATOMIC_FETCH;
  if (s === Size.W && !ctx.alu32) {
    // Without ALU32, LLVM 19 knows only the old XADDW, which checks bits 7-4.
    if (op !== AtomicOp.ADD) throw new Unknown();
    return `lock *(u32 *)(${mem}) += ${reg(insn.src)}`;
  }
  const p = s === Size.W ? "w" : "r";
  const val = reg(insn.src, p);
  const arith = ATOMIC_ARITH.get(op);
  if (arith) {
    return fetch
      ? `${val} = atomic_fetch_${arith.name}((${type} *)(${mem}), ${val})`
      : `lock *(${type} *)(${mem}) ${arith.operator} ${val}`;
  }
  if (!fetch) throw new Unknown();
  const bits = s === Size.W ? "32_32" : "_64";
  if (op === (AtomicOp.XCHG & 0xf0)) return `${val} = xchg${bits}(${mem}, ${val})`;
  if (op === (AtomicOp.CMPXCHG & 0xf0)) {
    return `${p}0 = cmpxchg${bits}(${mem}, ${p}0, ${val})`;
  }
  throw new Unknown();
}

function formatLoadStore(insn: Instruction, cls: InsnClass, ctx: FormatContext): string {
  const s = size(insn.opcode);
  const m = mode(insn.opcode);
  if (cls === InsnClass.LDX) {
    if (m === Mode.MEM) {
      const dst = reg(insn.dst, valuePrefix(s, ctx));
      return `${dst} = *(${UNSIGNED_TYPES.get(s)} *)(${memOperand(insn.src, insn.off)})`;
    }
    const type = SIGNED_TYPES.get(s);
    if (m === Mode.MEMSX && type) {
      return `${reg(insn.dst)} = *(${type} *)(${memOperand(insn.src, insn.off)})`;
    }
    throw new Unknown();
  }
  if (cls === InsnClass.STX && m === Mode.ATOMIC) return formatAtomic(insn, ctx);
  if (m !== Mode.MEM) throw new Unknown();
  const lhs = `*(${UNSIGNED_TYPES.get(s)} *)(${memOperand(insn.dst, insn.off)})`;
  if (cls === InsnClass.ST) return `${lhs} = ${hex(insn.imm)}`;
  return `${lhs} = ${reg(insn.src, valuePrefix(s, ctx))}`;
}

/** The text of one instruction, or `<unknown>` where llvm-objdump-19 prints that. */
export function formatInstruction(insn: Instruction, ctx: FormatContext = {}): string {
  try {
    const cls = insnClass(insn.opcode);
    switch (cls) {
      case InsnClass.ALU:
      case InsnClass.ALU64:
        return formatAlu(insn, cls);
      case InsnClass.JMP:
      case InsnClass.JMP32:
        return formatJump(insn, cls, ctx);
      case InsnClass.LD:
        return formatLd(insn, ctx);
      default:
        return formatLoadStore(insn, cls, ctx);
    }
  } catch (e) {
    if (e instanceof Unknown) return UNKNOWN;
    throw e;
  }
}
