// The bucket structure behind every hash-based map (hash, per-CPU hash, LRU
// hashes, devmap hash, hash of maps), kept in the kernel's shape so that the
// order BPF_MAP_GET_NEXT_KEY walks is the kernel's: roundup_pow_of_two(max)
// buckets chosen by htab_map_hash(key, seed), each a list where new elements
// go to the head. A JS Map beside it makes lookups O(1).

import { htabHashInt } from "./jhash.js";
import { keyString } from "./types.js";

export interface HashElem {
  readonly key: Uint8Array;
  readonly keyStr: string;
  readonly hash: number;
}

export function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export class HashTable<E extends HashElem> {
  private readonly buckets: E[][];
  private readonly index = new Map<string, E>();

  /**
   * @param hashFn overrides htab_map_hash (devmap hash buckets by ifindex key
   * alone). Only the bits under the bucket mask matter, so the default gives
   * them as an int32 (no heap number per lookup).
   */
  constructor(
    maxEntries: number,
    readonly seed: number,
    private readonly hashFn: (key: Uint8Array, seed: number) => number = htabHashInt,
  ) {
    this.buckets = Array.from({ length: roundupPowOfTwo(maxEntries) }, () => []);
  }

  get count(): number {
    return this.index.size;
  }

  hashOf(key: Uint8Array): number {
    return this.hashFn(key, this.seed);
  }

  /** The identity fields of an element for `key` (copied: callers may reuse their buffer). */
  ident(key: Uint8Array): HashElem {
    const k = key.slice();
    return { key: k, keyStr: keyString(k), hash: this.hashOf(k) };
  }

  /**
   * The element for `key`: its bucket walked from the head, as the kernel's
   * lookup_nulls_elem_raw does (a replacing LRU update links the new element
   * before unlinking the old one, and the head is the one found). Allocates
   * nothing: lookups are on the per-packet path.
   */
  find(key: Uint8Array): E | undefined {
    const b = this.buckets[this.hashOf(key) & (this.buckets.length - 1)]!;
    const n = key.length;
    for (let i = 0; i < b.length; i++) {
      const k = b[i]!.key;
      if (k.length !== n) continue;
      let j = 0;
      while (j < n && k[j] === key[j]) j++;
      if (j === n) return b[i];
    }
    return undefined;
  }

  /** hlist_nulls_add_head_rcu: the new element becomes the first of its bucket. */
  addHead(e: E): void {
    this.bucket(e.hash).unshift(e);
    this.index.set(e.keyStr, e);
  }

  remove(e: E): void {
    const b = this.bucket(e.hash);
    const i = b.indexOf(e);
    if (i >= 0) b.splice(i, 1);
    if (this.index.get(e.keyStr) === e) this.index.delete(e.keyStr);
  }

  /** An update that swaps in a new element: new at the head, old unlinked. */
  replace(old: E, e: E): void {
    this.remove(old);
    this.addHead(e);
  }

  /** hlist_replace_rcu: the new element takes the old one's place in its bucket. */
  replaceInPlace(old: E, e: E): void {
    const b = this.bucket(old.hash);
    b[b.indexOf(old)] = e;
    this.index.set(e.keyStr, e);
  }

  /** htab_map_get_next_key: next in the bucket, else the first of the following buckets. */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let i = 0;
    const e = key && this.find(key);
    if (e) {
      const bi = this.bucketIndex(e.hash);
      const b = this.buckets[bi]!;
      const next = b[b.indexOf(e) + 1];
      if (next) return next.key.slice();
      i = bi + 1;
    }
    for (; i < this.buckets.length; i++) {
      const first = this.buckets[i]![0];
      if (first) return first.key.slice();
    }
    return undefined;
  }

  *values(): IterableIterator<E> {
    for (const b of this.buckets) yield* b;
  }

  private bucketIndex(hash: number): number {
    return hash & (this.buckets.length - 1);
  }

  private bucket(hash: number): E[] {
    return this.buckets[this.bucketIndex(hash)]!;
  }
}
