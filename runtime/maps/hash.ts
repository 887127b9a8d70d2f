// BPF_MAP_TYPE_HASH (kernel/bpf/hashtab.c): a bounded hash table. An update
// of an existing key swaps in a fresh element at the head of its bucket (the
// kernel's preallocated "extra element"), so a value pointer taken before it
// keeps the old bytes, as in the kernel; the view of a live element never
// changes while it exists. Full map -> -E2BIG; BPF_NOEXIST/BPF_EXIST as usual.

import { BPF_EXIST, BPF_F_LOCK, BPF_F_ZERO_SEED, BPF_NOEXIST, Errno } from "./constants.js";
import { HashTable, type HashElem } from "./hash-table.js";
import { MapBase, type MapEnv } from "./types.js";

export type MapInit = ConstructorParameters<typeof MapBase>[1];

export interface ValueElem extends HashElem {
  value: Uint8Array;
}

/** check_flags(): the BPF_NOEXIST / BPF_EXIST verdict shared by all hash maps. */
export function checkUpdateFlags(exists: boolean, flags: number): number {
  const f = flags & ~BPF_F_LOCK;
  if (exists && f === BPF_NOEXIST) return -Errno.EEXIST;
  if (!exists && f === BPF_EXIST) return -Errno.ENOENT;
  return 0;
}

/** The seed the kernel would use: 0 under BPF_F_ZERO_SEED, else the environment's stand-in for a random one. */
export function hashSeedOf(env: MapEnv, flags: number): number {
  return flags & BPF_F_ZERO_SEED ? 0 : env.hashSeed >>> 0;
}

/** A map over a HashTable: delete and iteration are the same for plain and per-CPU hashes. */
export abstract class TableMap<E extends HashElem> extends MapBase {
  protected readonly table: HashTable<E>;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.table = new HashTable(def.maxEntries, hashSeedOf(env, def.flags));
  }

  delete(key: Uint8Array): number {
    const e = this.table.find(key);
    if (!e) return -Errno.ENOENT;
    this.table.remove(e);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.table.nextKey(key);
  }
}

export class HashMap extends TableMap<ValueElem> {
  get count(): number {
    return this.table.count;
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.table.find(key)?.value;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    // No BTF spin lock in these models, so BPF_F_LOCK is always refused.
    if ((flags & ~BPF_F_LOCK) > BPF_EXIST || flags & BPF_F_LOCK) return -Errno.EINVAL;
    const old = this.table.find(key);
    const err = checkUpdateFlags(old !== undefined, flags);
    if (err) return err;
    if (!old && this.table.count >= this.maxEntries) return -Errno.E2BIG;
    const e: ValueElem = { ...this.table.ident(key), value: value.slice(0, this.valueSize) };
    if (old) this.table.replace(old, e);
    else this.table.addHead(e);
    return 0;
  }
}
