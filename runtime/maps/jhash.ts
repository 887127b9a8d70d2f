// Bob Jenkins' lookup3 hash as the kernel's include/linux/jhash.h defines
// jhash() (bytes) and jhash2() (u32 words), written from the algorithm. Hash
// maps pick buckets with it (so iteration order under BPF_F_ZERO_SEED is the
// kernel's) and bloom filters pick bits with it (so false positives match).
// Words are read little-endian, as on the x86_64/arm64 kernels we compare with.

const INITVAL = 0xdeadbeef;

function rol(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k)) | 0;
}

// The state is three u32s, computed as int32s: the same bits, and `| 0` after
// each step keeps them exact and unboxed (hashing is on the per-packet path).
function mix(s: Uint32Array): void {
  let a = s[0]!,
    b = s[1]!,
    c = s[2]!;
  a = (a - c) | 0;
  a = (a ^ rol(c, 4)) | 0;
  c = (c + b) | 0; // prettier-ignore
  b = (b - a) | 0;
  b = (b ^ rol(a, 6)) | 0;
  a = (a + c) | 0; // prettier-ignore
  c = (c - b) | 0;
  c = (c ^ rol(b, 8)) | 0;
  b = (b + a) | 0; // prettier-ignore
  a = (a - c) | 0;
  a = (a ^ rol(c, 16)) | 0;
  c = (c + b) | 0; // prettier-ignore
  b = (b - a) | 0;
  b = (b ^ rol(a, 19)) | 0;
  a = (a + c) | 0; // prettier-ignore
  c = (c - b) | 0;
  c = (c ^ rol(b, 4)) | 0;
  b = (b + a) | 0; // prettier-ignore
  s[0] = a;
  s[1] = b;
  s[2] = c;
}

function final(s: Uint32Array): void {
  let a = s[0]!,
    b = s[1]!,
    c = s[2]!;
  c = (c ^ b) | 0;
  c = (c - rol(b, 14)) | 0; // prettier-ignore
  a = (a ^ c) | 0;
  a = (a - rol(c, 11)) | 0; // prettier-ignore
  b = (b ^ a) | 0;
  b = (b - rol(a, 25)) | 0; // prettier-ignore
  c = (c ^ b) | 0;
  c = (c - rol(b, 16)) | 0; // prettier-ignore
  a = (a ^ c) | 0;
  a = (a - rol(c, 4)) | 0; // prettier-ignore
  b = (b ^ a) | 0;
  b = (b - rol(a, 14)) | 0; // prettier-ignore
  c = (c ^ b) | 0;
  c = (c - rol(b, 24)) | 0; // prettier-ignore
  s[0] = a;
  s[1] = b;
  s[2] = c;
}

function le32(k: Uint8Array, i: number): number {
  return k[i]! | (k[i + 1]! << 8) | (k[i + 2]! << 16) | (k[i + 3]! << 24) | 0;
}

/** All three words = v (not fill(): a builtin's argument above 2^31 is a heap number). */
function seed3(s: Uint32Array, v: number): void {
  s[0] = v;
  s[1] = v;
  s[2] = v;
}

/** The three words of state (one at a time: no hash calls another), reused: hashing is per packet. */
const STATE = new Uint32Array(3);

/** jhash(key, length, initval): any number of bytes. */
export function jhash(key: Uint8Array, initval: number): number {
  return jhashInt(key, initval) >>> 0;
}

/** jhash2(words, count, initval): `key` holds count = key.length / 4 little-endian u32s. */
export function jhash2(key: Uint8Array, initval: number): number {
  return jhash2Int(key, initval) >>> 0;
}

// The hashes as int32s: a uint32 above 2^31 returned from a call is a heap
// number, and hash map lookups are on the per-packet path.
function jhashInt(key: Uint8Array, initval: number): number {
  let length = key.length;
  const s = STATE;
  seed3(s, (INITVAL + length + initval) | 0);
  let i = 0;
  while (length > 12) {
    s[0] = s[0]! + le32(key, i);
    s[1] = s[1]! + le32(key, i + 4);
    s[2] = s[2]! + le32(key, i + 8);
    mix(s);
    length -= 12;
    i += 12;
  }
  if (length === 0) return s[2]! | 0;
  // The tail: byte j of the last block goes into word j/4 at bit 8*(j%4).
  for (let j = 0; j < length; j++) {
    const w = j >> 2;
    s[w] = s[w]! + ((key[i + j]! << ((j & 3) * 8)) >>> 0);
  }
  final(s);
  return s[2]! | 0;
}

function jhash2Int(key: Uint8Array, initval: number): number {
  let length = key.length >> 2;
  const s = STATE;
  seed3(s, (INITVAL + (length << 2) + initval) | 0);
  let i = 0;
  while (length > 3) {
    s[0] = s[0]! + le32(key, i);
    s[1] = s[1]! + le32(key, i + 4);
    s[2] = s[2]! + le32(key, i + 8);
    mix(s);
    length -= 3;
    i += 12;
  }
  if (length === 0) return s[2]! | 0;
  for (let w = 0; w < length; w++) s[w] = s[w]! + le32(key, i + 4 * w);
  final(s);
  return s[2]! | 0;
}

/** The hash map's choice (htab_map_hash): jhash2 for keys of whole words, jhash otherwise. */
export function htabHash(key: Uint8Array, seed: number): number {
  return htabHashInt(key, seed) >>> 0;
}

/** htabHash as an int32 (the same bits; no heap number): bucket choice on the per-packet path. */
export function htabHashInt(key: Uint8Array, seed: number): number {
  return key.length % 4 === 0 ? jhash2Int(key, seed) : jhashInt(key, seed);
}
