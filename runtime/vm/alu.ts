// 64-bit operations done on the two 32-bit halves of a register (views
// I32/U32 over the register file, index 2n = low half, 2n+1 = high half):
// shifts, sign extension and byte swaps stay in small-integer arithmetic,
// which V8 compiles to a few machine instructions, where BigInt would
// allocate. Shift counts arrive already masked to 0..63.

export function shl64(I32: Int32Array, U32: Uint32Array, r: number, n: number): void {
  if (n === 0) return;
  const lo = U32[r]!;
  if (n >= 32) {
    I32[r + 1] = lo << (n - 32);
    I32[r] = 0;
  } else {
    I32[r + 1] = (U32[r + 1]! << n) | (lo >>> (32 - n));
    I32[r] = lo << n;
  }
}

export function shr64(U32: Uint32Array, r: number, n: number): void {
  if (n === 0) return;
  const hi = U32[r + 1]!;
  if (n >= 32) {
    U32[r] = hi >>> (n - 32);
    U32[r + 1] = 0;
  } else {
    U32[r] = (U32[r]! >>> n) | (hi << (32 - n));
    U32[r + 1] = hi >>> n;
  }
}

export function sar64(I32: Int32Array, U32: Uint32Array, r: number, n: number): void {
  if (n === 0) return;
  const hi = I32[r + 1]!;
  if (n >= 32) {
    I32[r] = hi >> (n - 32);
    I32[r + 1] = hi >> 31;
  } else {
    I32[r] = (U32[r]! >>> n) | (hi << (32 - n));
    I32[r + 1] = hi >> n;
  }
}

/** Set a register to a signed 32-bit value sign-extended to 64 bits. */
export function setSx(I32: Int32Array, r: number, v: number): void {
  I32[r] = v;
  I32[r + 1] = v >> 31;
}

function swap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** bswap16/32/64 (swap = true) or truncation to 16/32 bits (le on this little-endian ISA). */
export function endian(I32: Int32Array, r: number, bits: number, swap: boolean): void {
  const lo = I32[r]!;
  if (bits === 16) {
    I32[r] = swap ? ((lo & 0xff) << 8) | ((lo >>> 8) & 0xff) : lo & 0xffff;
    I32[r + 1] = 0;
  } else if (bits === 32) {
    I32[r] = swap ? swap32(lo) : lo;
    I32[r + 1] = 0;
  } else if (swap) {
    I32[r] = swap32(I32[r + 1]!);
    I32[r + 1] = swap32(lo);
  }
}

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

/** r *= (blo, bhi) modulo 2^64 on halves: no BigInt, so nothing allocated. */
export function mul64(I32: Int32Array, r: number, blo: number, bhi: number): void {
  const alo = I32[r]!;
  const ahi = I32[r + 1]!;
  I32[r + 1] = (mulhiU32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  I32[r] = Math.imul(alo, blo);
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

/** r += imm (sign-extended) modulo 2^64, as case 0x07; returns the new high half. */
export function add64k(I32: Int32Array, r: number, k: number): number {
  const a = I32[r]!;
  const t = (a + k) | 0;
  const h = (I32[r + 1]! + (k >> 31) + (t >>> 0 < a >>> 0 ? 1 : 0)) | 0;
  I32[r + 1] = h;
  I32[r] = t;
  return h;
}
