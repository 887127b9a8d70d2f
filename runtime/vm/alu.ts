// Arithmetic the translating tier's generated code calls (runtime/translate
// compile.ts RUNTIME) and step.ts uses for the rare 64-bit division: on
// 32-bit halves of a register (index 2n = low, 2n + 1 = high) or plain
// numbers, with BigInt only where 64-bit division needs it. The reference
// interpreter's hot loop (interpreter.ts) writes its arithmetic inline.

/** 32-bit unsigned/signed division and modulo with the ISA's rules for 0 and INT_MIN/-1. */
export function divmod32(a: number, b: number, signed: boolean, mod: boolean): number {
  if (b === 0) return mod ? a : 0;
  if (signed) {
    const x = a | 0;
    const y = b | 0;
    return mod ? (x % y) | 0 : (x / y) | 0;
  }
  const x = a >>> 0;
  const y = b >>> 0;
  return mod ? (x % y) | 0 : Math.floor(x / y) | 0;
}

/** 64-bit division and modulo on unsigned values (signed when asked). */
export function divmod64(a: bigint, b: bigint, signed: boolean, mod: boolean): bigint {
  if (b === 0n) return mod ? a : 0n;
  if (signed) {
    const x = BigInt.asIntN(64, a);
    const y = BigInt.asIntN(64, b);
    return BigInt.asUintN(64, mod ? x % y : x / y);
  }
  return mod ? a % b : a / b;
}

/** High 32 bits of the unsigned 64-bit product of two 32-bit values (16-bit pieces stay exact). */
export function mulhiU32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  let t = a1 * b0 + ((a0 * b0) >>> 16);
  const w1 = t & 0xffff;
  const w2 = t >>> 16;
  t = a0 * b1 + w1;
  return (a1 * b1 + w2 + (t >>> 16)) | 0;
}

/**
 * 64-bit div/mod of register `r` (halves index) by (blo, bhi): unsigned
 * values below 2^32 use number division; anything else goes through BigInt
 * (rare in BPF code, and exact).
 */
export function divmod64h(
  I32: Int32Array,
  U64: BigUint64Array,
  r: number,
  blo: number,
  bhi: number,
  signed: boolean,
  mod: boolean,
): void {
  if (!signed && bhi === 0 && I32[r + 1] === 0) {
    const a = I32[r]! >>> 0;
    const b = blo >>> 0;
    I32[r] = b === 0 ? (mod ? a : 0) : mod ? a % b : Math.floor(a / b);
    return;
  }
  const b = (BigInt(bhi >>> 0) << 32n) | BigInt(blo >>> 0);
  U64[r >> 1] = divmod64(U64[r >> 1]!, b, signed, mod);
}
