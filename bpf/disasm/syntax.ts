// The words of the assembly syntax that `llvm-objdump-19 -d` prints, as
// tables keyed by the ISA enums. The printer (format.ts) reads them one way
// and the parser (bpf/asm) the other way, so the two cannot drift apart.

import { AluOp, AtomicOp, JmpOp, Size } from "../isa/index.js";

/** Compound assignment operator of each two-operand ALU op: `r1 += r2`. */
export const ALU_OPERATORS: ReadonlyMap<AluOp, string> = new Map([
  [AluOp.ADD, "+="],
  [AluOp.SUB, "-="],
  [AluOp.MUL, "*="],
  [AluOp.DIV, "/="],
  [AluOp.OR, "|="],
  [AluOp.AND, "&="],
  [AluOp.LSH, "<<="],
  [AluOp.RSH, ">>="],
  [AluOp.MOD, "%="],
  [AluOp.XOR, "^="],
  [AluOp.MOV, "="],
  [AluOp.ARSH, "s>>="],
]);

/** The cpu v4 signed variants, selected by off = 1 (SIGNED_DIVMOD_OFF). */
export const SIGNED_ALU_OPERATORS: ReadonlyMap<AluOp, string> = new Map([
  [AluOp.DIV, "s/="],
  [AluOp.MOD, "s%="],
]);

/** Comparison of each conditional jump: `if r1 s> r2 goto +0x3`. */
export const JMP_COMPARISONS: ReadonlyMap<JmpOp, string> = new Map([
  [JmpOp.JEQ, "=="],
  [JmpOp.JGT, ">"],
  [JmpOp.JGE, ">="],
  [JmpOp.JSET, "&"],
  [JmpOp.JNE, "!="],
  [JmpOp.JSGT, "s>"],
  [JmpOp.JSGE, "s>="],
  [JmpOp.JLT, "<"],
  [JmpOp.JLE, "<="],
  [JmpOp.JSLT, "s<"],
  [JmpOp.JSLE, "s<="],
]);

/**
 * The four arithmetic atomics by the ALU op in bits 7-4 of the immediate:
 * `lock *(u64 *)(r1 + 0x0) += r2` without FETCH, `atomic_fetch_add(...)` with.
 */
export const ATOMIC_ARITH: ReadonlyMap<number, { operator: string; name: string }> = new Map([
  [AtomicOp.ADD, { operator: "+=", name: "add" }],
  [AtomicOp.OR, { operator: "|=", name: "or" }],
  [AtomicOp.AND, { operator: "&=", name: "and" }],
  [AtomicOp.XOR, { operator: "^=", name: "xor" }],
]);

/** `u8`..`u64` in `*(u32 *)(r1 + 0x0)`. */
export const UNSIGNED_TYPES: ReadonlyMap<Size, string> = new Map([
  [Size.B, "u8"],
  [Size.H, "u16"],
  [Size.W, "u32"],
  [Size.DW, "u64"],
]);

/** `s8`..`s32` in sign-extending loads `r1 = *(s16 *)(r2 + 0x4)`. */
export const SIGNED_TYPES: ReadonlyMap<Size, string> = new Map([
  [Size.B, "s8"],
  [Size.H, "s16"],
  [Size.W, "s32"],
]);

/** Byte-swap mnemonics by (class is ALU64 ? "bswap" : byte order); imm is the width. */
export const SWAP_NAMES = { le: "le", be: "be", bswap: "bswap" } as const;
export const SWAP_WIDTHS = [16, 32, 64] as const;

/** What llvm-objdump prints for bytes it cannot decode. */
export const UNKNOWN = "<unknown>";

/** Reverse lookup of one of the tables above. */
export function invert<K, V>(table: ReadonlyMap<K, V>): Map<V, K> {
  return new Map([...table].map(([k, v]) => [v, k]));
}

/** `0x1f`, `-0x8`: how llvm-objdump-19 prints every immediate and offset. */
export function hex(n: number | bigint): string {
  const big = BigInt(n);
  return big < 0n ? `-0x${(-big).toString(16)}` : `0x${big.toString(16)}`;
}

/** `+0x3` / `-0x8`: jump offsets always carry a sign. */
export function signedHex(n: number): string {
  return n < 0 ? hex(n) : `+${hex(n)}`;
}
