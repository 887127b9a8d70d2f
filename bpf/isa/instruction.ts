// The in-memory form of one BPF instruction, shared by the compiler, the
// ELF layer, the disassembler and the runtime. Raw fields stay raw (so any
// byte pattern round-trips); symbolic parts (labels, relocation symbols,
// source positions) ride along as metadata and are resolved when encoding.

import { CallSrc, InsnClass, OP_CALL, OP_LDDW, Reg, insnClass } from "./opcodes.js";

/** Where an instruction came from, for BTF line info. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
  /** The text of the source line, as the verifier log and bpftool show it. */
  text: string;
}

/** Why an instruction must be patched by the loader, and against what. */
export type RelocationKind =
  /** lddw of a map's address (R_BPF_64_64 against the map symbol). */
  | "map"
  /** lddw of a global variable's address (R_BPF_64_64 against it). */
  | "data"
  /** call of a `.text` subprogram (R_BPF_64_32). */
  | "call"
  /** call of a kernel function (R_BPF_64_32 against an undefined symbol). */
  | "kfunc"
  /** lddw of a subprogram's address, for callbacks (R_BPF_64_64). */
  | "func";

export interface Relocation {
  kind: RelocationKind;
  symbol: string;
}

export interface Instruction {
  /** The 8-bit opcode; see opcodes.ts for its parts. */
  opcode: number;
  dst: Reg;
  /** A register, or for `lddw` and `call` a pseudo value (LdImm64Src, CallSrc). */
  src: number;
  /** Signed 16-bit offset. */
  off: number;
  /** Signed 32-bit immediate (for `lddw`, the low half of imm64). */
  imm: number;
  /** `lddw` only: the full 64-bit immediate, unsigned. */
  imm64?: bigint;
  /** `lddw` only: the off/src/dst fields of the second slot (normally 0). */
  hi?: { opcode: number; regs: number; off: number };
  /** Label of a jump target or local callee, resolved by the encoder. */
  target?: string;
  /** Labels that name this instruction. */
  labels?: string[];
  reloc?: Relocation;
  source?: SourcePos;
}

export const SLOT_BYTES = 8;

export function isLdImm64(insn: Pick<Instruction, "opcode">): boolean {
  return insn.opcode === OP_LDDW;
}

/** How many 8-byte slots the instruction takes. */
export function slotCount(insn: Pick<Instruction, "opcode">): 1 | 2 {
  return insn.opcode === OP_LDDW ? 2 : 1;
}

export function isLocalCall(insn: Instruction): boolean {
  return insn.opcode === OP_CALL && insn.src === CallSrc.LOCAL;
}

export function isClass(insn: Instruction, c: InsnClass): boolean {
  return insnClass(insn.opcode) === c;
}

/** Slot index of each instruction, and the total slot count. */
export function slotOffsets(insns: readonly Instruction[]): { offsets: number[]; total: number } {
  const offsets: number[] = [];
  let slot = 0;
  for (const insn of insns) {
    offsets.push(slot);
    slot += slotCount(insn);
  }
  return { offsets, total: slot };
}

export function toInt16(n: number): number {
  return (n << 16) >> 16;
}
export function toInt32(n: number): number {
  return n | 0;
}
export function toUint64(n: bigint): bigint {
  return BigInt.asUintN(64, n);
}
