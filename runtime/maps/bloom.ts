// BPF_MAP_TYPE_BLOOM_FILTER (kernel/bpf/bloom_filter.c): push sets
// nr_hash_funcs bits, peek tests them. The bit array size, the hash (jhash2
// for values of whole u32 words, jhash otherwise) and the per-function seed
// (hash_seed + i) are the kernel's, so false positives are the kernel's too
// given the same seed: 0 under BPF_F_ZERO_SEED, else the kernel draws a
// random one and we use env.hashSeed in its place.

import { BPF_ANY, BPF_F_ZERO_SEED, Errno } from "./constants.js";
import type { MapInit } from "./hash.js";
import { jhash, jhash2 } from "./jhash.js";
import { roundupPowOfTwo } from "./hash-table.js";
import { MapBase, type MapEnv } from "./types.js";

/** bloom_map_alloc's sizing: the number of bits minus one (a mask). */
export function bloomBitsetMask(maxEntries: number, nrHashFuncs: number): number {
  const product = maxEntries * nrHashFuncs;
  if (product > 0xffffffff) return 0xffffffff;
  const nrBits = Math.floor(product / 5) * 7;
  if (nrBits > 0xffffffff || nrBits > 2 ** 31) return 0xffffffff;
  return (nrBits <= 64 ? 64 : roundupPowOfTwo(nrBits)) - 1;
}

export class BloomFilterMap extends MapBase {
  readonly nrHashFuncs: number;
  readonly seed: number;
  readonly bitsetMask: number;
  // Dense up to 2^27 bits (16 MiB); sparse beyond, where the kernel's array would be huge.
  private readonly dense: Uint8Array | undefined;
  private readonly sparse = new Set<number>();

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.nrHashFuncs = Number(def.mapExtra & 0xfn) || 5;
    this.seed = def.flags & BPF_F_ZERO_SEED ? 0 : env.hashSeed >>> 0;
    this.bitsetMask = bloomBitsetMask(def.maxEntries, this.nrHashFuncs);
    if (this.bitsetMask < 2 ** 27) this.dense = new Uint8Array((this.bitsetMask + 1) / 8);
  }

  /** The bit function `i` picks for `value`. */
  bitOf(value: Uint8Array, i: number): number {
    const v = value.subarray(0, this.valueSize);
    const seed = (this.seed + i) >>> 0;
    const h = this.valueSize % 4 === 0 ? jhash2(v, seed) : jhash(v, seed);
    return (h & this.bitsetMask) >>> 0;
  }

  override push(value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY) return -Errno.EINVAL;
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const b = this.bitOf(value, i);
      if (this.dense) this.dense[b >>> 3]! |= 1 << (b & 7);
      else this.sparse.add(b);
    }
    return 0;
  }

  /** 0 when `value` may be in the set, -ENOENT when it surely is not. */
  override peek(value: Uint8Array): number {
    for (let i = 0; i < this.nrHashFuncs; i++) {
      const b = this.bitOf(value, i);
      const set = this.dense ? (this.dense[b >>> 3]! >> (b & 7)) & 1 : this.sparse.has(b);
      if (!set) return -Errno.ENOENT;
    }
    return 0;
  }

  override pop(_out: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }
  lookup(_key: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }
  delete(_key: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }
  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }
  /** BPF_MAP_UPDATE_ELEM from user space pushes. */
  override set(_key: Uint8Array, value: Uint8Array, flags = BPF_ANY): number {
    return this.push(value, flags);
  }
  /** BPF_MAP_LOOKUP_ELEM from user space: membership of `value`. */
  has(value: Uint8Array): boolean {
    return this.peek(value) === 0;
  }
}
