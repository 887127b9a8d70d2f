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
