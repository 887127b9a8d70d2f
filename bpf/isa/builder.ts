// A small DSL for writing instructions by hand, in the manner of cilium/ebpf's
// asm package: `Add64.imm(R1, 4)`, `Jgt.reg(R1, R2, "out")`, `Exit()`.
// Jumps and local calls name labels; `label("out", insn)` places one; the
// encoder (resolveLabels) turns them into offsets.

import type { Instruction, SourcePos } from "./instruction.js";
import {
  AluOp,
  AtomicOp,
  ByteOrder,
  CallSrc,
  InsnClass,
  JmpOp,
  LdImm64Src,
  Mode,
  OP_CALL,
  OP_CALLX,
  OP_EXIT,
  OP_GOTOL,
  OP_JA,
  OP_LDDW,
  Reg,
  SIGNED_DIVMOD_OFF,
  Source,
  sizeFromBytes,
} from "./opcodes.js";

function insn(opcode: number, dst: Reg, src: number, off: number, imm: number): Instruction {
  return { opcode, dst, src, off, imm };
}

export interface AluBuilder {
  imm(dst: Reg, imm: number): Instruction;
  reg(dst: Reg, src: Reg): Instruction;
}

function alu(cls: InsnClass.ALU | InsnClass.ALU64, op: AluOp, off = 0): AluBuilder {
  return {
    imm: (dst, imm) => insn(cls | op | Source.K, dst, 0, off, imm),
    reg: (dst, src) => insn(cls | op | Source.X, dst, src, off, 0),
  };
}

export const Add64 = alu(InsnClass.ALU64, AluOp.ADD);
export const Sub64 = alu(InsnClass.ALU64, AluOp.SUB);
export const Mul64 = alu(InsnClass.ALU64, AluOp.MUL);
export const Div64 = alu(InsnClass.ALU64, AluOp.DIV);
export const SDiv64 = alu(InsnClass.ALU64, AluOp.DIV, SIGNED_DIVMOD_OFF);
export const Or64 = alu(InsnClass.ALU64, AluOp.OR);
export const And64 = alu(InsnClass.ALU64, AluOp.AND);
export const Lsh64 = alu(InsnClass.ALU64, AluOp.LSH);
export const Rsh64 = alu(InsnClass.ALU64, AluOp.RSH);
export const Mod64 = alu(InsnClass.ALU64, AluOp.MOD);
export const SMod64 = alu(InsnClass.ALU64, AluOp.MOD, SIGNED_DIVMOD_OFF);
export const Xor64 = alu(InsnClass.ALU64, AluOp.XOR);
export const Mov64 = alu(InsnClass.ALU64, AluOp.MOV);
export const Arsh64 = alu(InsnClass.ALU64, AluOp.ARSH);
export const Add32 = alu(InsnClass.ALU, AluOp.ADD);
export const Sub32 = alu(InsnClass.ALU, AluOp.SUB);
export const Mul32 = alu(InsnClass.ALU, AluOp.MUL);
export const Div32 = alu(InsnClass.ALU, AluOp.DIV);
export const SDiv32 = alu(InsnClass.ALU, AluOp.DIV, SIGNED_DIVMOD_OFF);
export const Or32 = alu(InsnClass.ALU, AluOp.OR);
export const And32 = alu(InsnClass.ALU, AluOp.AND);
export const Lsh32 = alu(InsnClass.ALU, AluOp.LSH);
export const Rsh32 = alu(InsnClass.ALU, AluOp.RSH);
export const Mod32 = alu(InsnClass.ALU, AluOp.MOD);
export const SMod32 = alu(InsnClass.ALU, AluOp.MOD, SIGNED_DIVMOD_OFF);
export const Xor32 = alu(InsnClass.ALU, AluOp.XOR);
export const Mov32 = alu(InsnClass.ALU, AluOp.MOV);
export const Arsh32 = alu(InsnClass.ALU, AluOp.ARSH);

export const Neg64 = (dst: Reg): Instruction => insn(InsnClass.ALU64 | AluOp.NEG, dst, 0, 0, 0);
export const Neg32 = (dst: Reg): Instruction => insn(InsnClass.ALU | AluOp.NEG, dst, 0, 0, 0);

/** `dst = (s8|s16|s32) src`, sign-extending move (cpu v4). */
export const MovSx64 = (dst: Reg, src: Reg, bits: 8 | 16 | 32): Instruction =>
  insn(InsnClass.ALU64 | AluOp.MOV | Source.X, dst, src, bits, 0);
export const MovSx32 = (dst: Reg, src: Reg, bits: 8 | 16): Instruction =>
  insn(InsnClass.ALU | AluOp.MOV | Source.X, dst, src, bits, 0);

/** `dst = be16/be32/be64 dst`: to big-endian (a swap on this little-endian ISA). */
export const ToBe = (dst: Reg, bits: 16 | 32 | 64): Instruction =>
  insn(InsnClass.ALU | AluOp.END | ByteOrder.TO_BE, dst, 0, 0, bits);
/** `dst = le16/le32/le64 dst`: truncation only, on little-endian. */
export const ToLe = (dst: Reg, bits: 16 | 32 | 64): Instruction =>
  insn(InsnClass.ALU | AluOp.END | ByteOrder.TO_LE, dst, 0, 0, bits);
/** `dst = bswap16/32/64 dst`: unconditional swap (cpu v4). */
export const Bswap = (dst: Reg, bits: 16 | 32 | 64): Instruction =>
  insn(InsnClass.ALU64 | AluOp.END, dst, 0, 0, bits);

export interface JumpBuilder {
  imm(dst: Reg, imm: number, target: string): Instruction;
  reg(dst: Reg, src: Reg, target: string): Instruction;
}

function jump(cls: InsnClass.JMP | InsnClass.JMP32, op: JmpOp): JumpBuilder {
  return {
    imm: (dst, imm, target) => ({ ...insn(cls | op | Source.K, dst, 0, 0, imm), target }),
    reg: (dst, src, target) => ({ ...insn(cls | op | Source.X, dst, src, 0, 0), target }),
  };
}

export const Jeq = jump(InsnClass.JMP, JmpOp.JEQ);
export const Jgt = jump(InsnClass.JMP, JmpOp.JGT);
export const Jge = jump(InsnClass.JMP, JmpOp.JGE);
export const Jset = jump(InsnClass.JMP, JmpOp.JSET);
export const Jne = jump(InsnClass.JMP, JmpOp.JNE);
export const Jsgt = jump(InsnClass.JMP, JmpOp.JSGT);
export const Jsge = jump(InsnClass.JMP, JmpOp.JSGE);
export const Jlt = jump(InsnClass.JMP, JmpOp.JLT);
export const Jle = jump(InsnClass.JMP, JmpOp.JLE);
export const Jslt = jump(InsnClass.JMP, JmpOp.JSLT);
export const Jsle = jump(InsnClass.JMP, JmpOp.JSLE);
export const Jeq32 = jump(InsnClass.JMP32, JmpOp.JEQ);
export const Jgt32 = jump(InsnClass.JMP32, JmpOp.JGT);
export const Jge32 = jump(InsnClass.JMP32, JmpOp.JGE);
export const Jset32 = jump(InsnClass.JMP32, JmpOp.JSET);
export const Jne32 = jump(InsnClass.JMP32, JmpOp.JNE);
export const Jsgt32 = jump(InsnClass.JMP32, JmpOp.JSGT);
export const Jsge32 = jump(InsnClass.JMP32, JmpOp.JSGE);
export const Jlt32 = jump(InsnClass.JMP32, JmpOp.JLT);
export const Jle32 = jump(InsnClass.JMP32, JmpOp.JLE);
export const Jslt32 = jump(InsnClass.JMP32, JmpOp.JSLT);
export const Jsle32 = jump(InsnClass.JMP32, JmpOp.JSLE);

export const Ja = (target: string): Instruction => ({ ...insn(OP_JA, 0, 0, 0, 0), target });
/** Unconditional jump with a 32-bit offset (cpu v4). */
export const Gotol = (target: string): Instruction => ({
  ...insn(OP_GOTOL, 0, 0, 0, 0),
  target,
});
/** may_goto: the verifier may take it to stop a loop. */
export const MayGoto = (target: string): Instruction => ({
  ...insn(InsnClass.JMP | JmpOp.JCOND, 0, 0, 0, 0),
  target,
});

export const Call = (helperId: number): Instruction =>
  insn(OP_CALL, 0, CallSrc.HELPER, 0, helperId);
/** Call of a subprogram in the same section, by label. */
export const CallLocal = (target: string): Instruction => ({
  ...insn(OP_CALL, 0, CallSrc.LOCAL, 0, -1),
  target,
});
/** Call of a `.text` subprogram through a relocation (imm -1 for a global callee). */
export const CallSymbol = (symbol: string): Instruction => ({
  ...insn(OP_CALL, 0, CallSrc.LOCAL, 0, -1),
  reloc: { kind: "call", symbol },
});
/**
 * Call of a kernel function through a relocation against its undefined
 * symbol. In an object the call is src 1 with imm -1, as clang-19 writes it
 * and libbpf expects; libbpf turns it into src 2 (CallSrc.KFUNC) + BTF id.
 */
export const CallKfunc = (symbol: string): Instruction => ({
  ...insn(OP_CALL, 0, CallSrc.LOCAL, 0, -1),
  reloc: { kind: "kfunc", symbol },
});
/** Indirect call through a register (not in RFC 9669; the dst field holds it). */
export const Callx = (reg: Reg): Instruction => insn(OP_CALLX, reg, 0, 0, 0);
export const Exit = (): Instruction => insn(OP_EXIT, 0, 0, 0, 0);

type Bytes = 1 | 2 | 4 | 8;

/** `dst = *(uN *)(src + off)`. */
export const LoadMem = (bytes: Bytes, dst: Reg, src: Reg, off: number): Instruction =>
  insn(InsnClass.LDX | Mode.MEM | sizeFromBytes(bytes), dst, src, off, 0);
/** `dst = *(sN *)(src + off)`, sign-extending (cpu v4). */
export const LoadMemSx = (bytes: 1 | 2 | 4, dst: Reg, src: Reg, off: number): Instruction =>
  insn(InsnClass.LDX | Mode.MEMSX | sizeFromBytes(bytes), dst, src, off, 0);
/** `*(uN *)(dst + off) = src`. */
export const StoreMem = (bytes: Bytes, dst: Reg, off: number, src: Reg): Instruction =>
  insn(InsnClass.STX | Mode.MEM | sizeFromBytes(bytes), dst, src, off, 0);
/** `*(uN *)(dst + off) = imm`. */
export const StoreImm = (bytes: Bytes, dst: Reg, off: number, imm: number): Instruction =>
  insn(InsnClass.ST | Mode.MEM | sizeFromBytes(bytes), dst, 0, off, imm);
/**
 * Atomic read-modify-write on `*(uN *)(dst + off)` with src (r0 for cmpxchg's expected value).
 * Sizes 1 and 2 exist only for LOAD_ACQ / STORE_REL (for LOAD_ACQ, dst is loaded from src + off).
 */
export const Atomic = (bytes: Bytes, op: AtomicOp, dst: Reg, off: number, src: Reg): Instruction =>
  insn(InsnClass.STX | Mode.ATOMIC | sizeFromBytes(bytes), dst, src, off, op);

/** `dst = imm64 ll`. */
export const LoadImm64 = (dst: Reg, value: bigint): Instruction => ({
  ...insn(OP_LDDW, dst, LdImm64Src.IMM, 0, Number(BigInt.asIntN(32, value))),
  imm64: BigInt.asUintN(64, value),
});
/** `dst = map ll`, relocated against the map symbol. */
export const LoadMapPtr = (dst: Reg, symbol: string): Instruction => ({
  ...LoadImm64(dst, 0n),
  reloc: { kind: "map", symbol },
});
/** `dst = &global ll`, relocated against a variable in .bss/.data/.rodata. */
export const LoadDataPtr = (dst: Reg, symbol: string, offset = 0): Instruction => ({
  ...LoadImm64(dst, BigInt(offset)),
  reloc: { kind: "data", symbol },
});
/** `dst = &subprogram`, for helper callbacks. */
export const LoadFuncPtr = (dst: Reg, symbol: string): Instruction => ({
  ...insn(OP_LDDW, dst, LdImm64Src.FUNC, 0, 0),
  imm64: 0n,
  reloc: { kind: "func", symbol },
});
/** lddw with an explicit pseudo source (map fd / idx / value, BTF id...). */
export const LoadPseudo = (dst: Reg, src: LdImm64Src, imm: number, hiImm = 0): Instruction => ({
  ...insn(OP_LDDW, dst, src, 0, imm),
  imm64: (BigInt(hiImm >>> 0) << 32n) | BigInt(imm >>> 0),
});

/** Legacy packet load `r0 = *(uN *)skb[imm]`. */
export const LoadAbs = (bytes: 1 | 2 | 4, imm: number): Instruction =>
  insn(InsnClass.LD | Mode.ABS | sizeFromBytes(bytes), 0, 0, 0, imm);
/** Legacy packet load `r0 = *(uN *)skb[src + imm]`. */
export const LoadInd = (bytes: 1 | 2 | 4, src: Reg, imm: number): Instruction =>
  insn(InsnClass.LD | Mode.IND | sizeFromBytes(bytes), 0, src, 0, imm);

/** Attach a label to an instruction (returns the same object). */
export function label(name: string, target: Instruction): Instruction {
  (target.labels ??= []).push(name);
  return target;
}

/** Attach a source position to an instruction (returns the same object). */
export function at(pos: SourcePos, target: Instruction): Instruction {
  target.source = pos;
  return target;
}
