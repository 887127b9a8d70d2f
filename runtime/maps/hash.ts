// BPF_MAP_TYPE_HASH (kernel/bpf/hashtab.c): a bounded hash table. An update
// of an existing key puts a new element at the head of its bucket. Without
// BPF_F_NO_PREALLOC (the default) elements are the kernel's preallocated
// ones, recycled in its order (hash-prealloc.ts): the new element of a
// replacing update is the CPU's spare and the old one becomes the spare, a
// deleted element goes back on the freelist and the next insert takes it,
// so a value pointer taken before an update or delete reads and writes
// whatever that memory holds by then, as in the kernel. With
// BPF_F_NO_PREALLOC every element is new memory (the kernel's bpf_mem_alloc
// reuse order is not modelled). Full map -> -E2BIG; BPF_NOEXIST/BPF_EXIST as usual.

import { BPF_EXIST, BPF_F_LOCK, BPF_F_ZERO_SEED, BPF_NOEXIST, Errno } from "./constants.js";
import { preallocated, type HashElemPool } from "./hash-prealloc.js";
import { HashTable, type HashElem } from "./hash-table.js";
import { MapBase, type MapEnv } from "./types.js";
import { copyValue } from "./value-fields.js";

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
    this.freed(e);
    return 0;
  }

  /** What happens to a deleted element's memory (preallocated maps recycle it). */
  protected freed(_e: E): void {}

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.table.nextKey(key);
  }
}

export class HashMap extends TableMap<ValueElem> {
  /** Value buffers of the preallocated elements; undefined under BPF_F_NO_PREALLOC. */
  private readonly pool: HashElemPool<Uint8Array> | undefined;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.pool = preallocated(def, env.cpus, () => new Uint8Array(def.valueSize), true);
  }

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
    let buf: Uint8Array | undefined;
    if (!this.pool) {
      if (!old && this.table.count >= this.maxEntries) return -Errno.E2BIG;
      buf = new Uint8Array(this.valueSize);
    } else {
      // alloc_htab_elem: the CPU's spare for a replacement, else the freelist.
      buf = old ? this.pool.swapExtra(old.value) : this.pool.take();
      if (!buf) return -Errno.E2BIG;
    }
    // A new element's special fields are fresh (freed when its memory was last let go).
    copyValue(buf, value, this.valueFields);
    const e: ValueElem = { ...this.table.ident(key), value: buf };
    if (old) {
      this.table.replace(old, e);
      this.valueFields?.free(old.value);
    } else this.table.addHead(e);
    return 0;
  }

  protected override freed(e: ValueElem): void {
    this.valueFields?.free(e.value);
    this.pool?.give(e.value);
  }
}
