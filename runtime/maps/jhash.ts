// Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h defines
// jhash() (bytes) and jhash2() (u32 words), written from the algorithm. Hash
// maps pick buckets with it (so iteration order under BPF_F_ZERO_SEED is the
// kernel's) and bloom filters pick bits with it (so false positives match).
// Words are read little-endian, as on the x86_64/arm64 kernels we compare with.

const INITVAL = 0xdeadbeef;

// One function for both: on a key whose length is a multiple of 4, jhash
// over its bytes and jhash2 over its little-endian words are the same
// computation (the same initial value, 12 bytes per round, and a tail of
// whole words is the tail of its bytes). The state is three int32 locals
// and mix/final are written out in place: hashing is on the per-packet
// path, where a Uint32Array state and calls V8 did not inline (the lookup
// sites that call it are large) cost more than the hash itself.
function hashInt(key: Uint8Array, initval: number): number {
  let length = key.length;
  let a = (INITVAL + length + initval) | 0;
  let b = a;
  let c = a;
  let i = 0;
  while (length > 12) {
    a = (a + (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24))) | 0;
    b = (b + (key[i + 4]! | (key[i + 5]! << 8) | (key[i + 6]! << 16) | (key[i + 7]! << 24))) | 0;
    c = (c + (key[i + 8]! | (key[i + 9]! << 8) | (key[i + 10]! << 16) | (key[i + 11]! << 24))) | 0;
    // __jhash_mix
    a = (a - c) | 0;
    a ^= (c << 4) | (c >>> 28);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 6) | (a >>> 26);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 8) | (b >>> 24);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= (c << 16) | (c >>> 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= (a << 19) | (a >>> 13);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= (b << 4) | (b >>> 28);
    b = (b + a) | 0;
    length -= 12;
    i += 12;
  }
  if (length === 0) return c;
  // The tail: byte j of the last block goes into word j/4 at bit 8*(j%4).
  for (let j = 0; j < length; j++) {
    const v = key[i + j]! << ((j & 3) * 8);
    if (j < 4) a = (a + v) | 0;
    else if (j < 8) b = (b + v) | 0;
    else c = (c + v) | 0;
  }
  // __jhash_final
  c ^= b;
  c = (c - ((b << 14) | (b >>> 18))) | 0;
  a ^= c;
  a = (a - ((c << 11) | (c >>> 21))) | 0;
  b ^= a;
  b = (b - ((a << 25) | (a >>> 7))) | 0;
  c ^= b;
  c = (c - ((b << 16) | (b >>> 16))) | 0;
  a ^= c;
  a = (a - ((c << 4) | (c >>> 28))) | 0;
  b ^= a;
  b = (b - ((a << 14) | (a >>> 18))) | 0;
  c ^= b;
  c = (c - ((b << 24) | (b >>> 8))) | 0;
  return c;
}

/** jhash(key, length, initval): any number of bytes. */
export function jhash(key: Uint8Array, initval: number): number {
  return hashInt(key, initval) >>> 0;
}

/** jhash2(words, count, initval): `key` holds count = key.length / 4 little-endian u32s. */
export function jhash2(key: Uint8Array, initval: number): number {
  // Only whole words are hashed (count = length / 4).
  return hashInt(key.length % 4 === 0 ? key : key.subarray(0, key.length & ~3), initval) >>> 0;
}

/** The hash map's choice (htab_map_hash): jhash2 for keys of whole words, jhash otherwise. */
export function htabHash(key: Uint8Array, seed: number): number {
  return hashInt(key, seed) >>> 0;
}

/** htabHash as an int32 (the same bits; no heap number): bucket choice on the per-packet path. */
export function htabHashInt(key: Uint8Array, seed: number): number {
  return hashInt(key, seed);
}
