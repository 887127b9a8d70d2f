// BPF_MAP_TYPE_LRU_HASH and BPF_MAP_TYPE_LRU_PERCPU_HASH: hash maps whose
// inserts never fail for lack of room; they evict instead (see lru-list.ts
// for the eviction model). As in hashtab.c, every update takes a free node
// first (which may evict, even when the key exists or the flags then
// refuse), a program's lookup sets the reference bit and user-space lookups
// do not. Element memory is preallocated: a node's value view is reused.

import { BPF_EXIST, BPF_F_NO_COMMON_LRU, Errno } from "./constants.js";
import { HashTable, type HashElem } from "./hash-table.js";
import { checkUpdateFlags, hashSeedOf, type MapInit } from "./hash.js";
import { Lru, type LruNode } from "./lru-list.js";
import { PerCpuValue, type PerCpuMap } from "./percpu.js";
import { MapBase, type MapEnv } from "./types.js";
import { copyValue, userCopy } from "./value-fields.js";

interface Slot<V> {
  readonly value: V;
  elem?: LruElem<V>;
}
interface LruElem<V> extends HashElem {
  readonly node: LruNode<Slot<V>>;
}

abstract class LruHashBase<V> extends MapBase {
  protected readonly table: HashTable<LruElem<V>>;
  protected readonly lru: Lru<Slot<V>>;

  constructor(env: MapEnv, def: MapInit, makeValue: () => V) {
    super(env, def);
    this.table = new HashTable(def.maxEntries, hashSeedOf(env, def.flags));
    const slots = Array.from({ length: def.maxEntries }, () => ({ value: makeValue() }));
    const percpuLru = (def.flags & BPF_F_NO_COMMON_LRU) !== 0;
    this.lru = new Lru<Slot<V>>(slots, env.cpus.count, percpuLru, (n) => {
      const e = n.payload.elem;
      if (!e || this.table.find(e.key) !== e) return false;
      this.table.remove(e);
      this.release(n.payload); // htab_lru_map_delete_node: check_and_free_fields
      return true;
    });
  }

  /** bpf_obj_free_fields on a value the map lets go (LruHashMap: its special fields). */
  protected release(_slot: Slot<V>): void {}

  /** The element's slot, marking it referenced as a program's lookup does. */
  protected findRef(key: Uint8Array): Slot<V> | undefined {
    const e = this.table.find(key);
    if (e) this.lru.setRef(e.node);
    return e?.node.payload;
  }

  /** Links a popped node as the element for `key`, at its bucket's head. */
  protected link(node: LruNode<Slot<V>>, key: Uint8Array): LruElem<V> {
    const e: LruElem<V> = { ...this.table.ident(key), node };
    node.payload.elem = e;
    node.inTable = true;
    this.table.addHead(e);
    return e;
  }

  delete(key: Uint8Array): number {
    const e = this.table.find(key);
    if (!e) return -Errno.ENOENT;
    this.table.remove(e);
    this.release(e.node.payload);
    this.lru.pushFree(e.node);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.table.nextKey(key);
  }
}

export class LruHashMap extends LruHashBase<Uint8Array> {
  constructor(env: MapEnv, def: MapInit) {
    super(env, def, () => new Uint8Array(def.valueSize));
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.findRef(key)?.value;
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    const v = this.table.find(key)?.node.payload.value;
    return v && userCopy(v, this.valueFields);
  }

  // htab_lru_map_update_elem.
  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    const node = this.lru.popFree(this.env.cpus.current);
    if (!node) return -Errno.ENOMEM;
    copyValue(node.payload.value, value, this.valueFields);
    const old = this.table.find(key);
    const err = checkUpdateFlags(old !== undefined, flags);
    if (err) {
      this.lru.pushFree(node);
      return err;
    }
    this.link(node, key);
    if (old) {
      this.lru.setRef(node);
      this.table.remove(old);
      this.release(old.node.payload);
      this.lru.pushFree(old.node);
    }
    return 0;
  }

  protected override release(slot: Slot<Uint8Array>): void {
    this.valueFields?.free(slot.value);
  }
}

export class LruPercpuHashMap extends LruHashBase<PerCpuValue> implements PerCpuMap {
  constructor(env: MapEnv, def: MapInit) {
    super(env, def, () => new PerCpuValue(def.valueSize, env.cpus.count));
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.findRef(key)?.value.cpus[this.env.cpus.current];
  }

  lookupCpu(key: Uint8Array, cpu: number): Uint8Array | undefined {
    return this.findRef(key)?.value.cpus[cpu];
  }

  getPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    return this.table.find(key)?.node.payload.value.copies(this.valueFields);
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    return this.table.find(key)?.node.payload.value.concat(this.valueFields);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const cpu = this.env.cpus.current;
    return this.write(key, flags, (v, fresh) => {
      if (fresh) for (const c of v.cpus) c.fill(0);
      // pcpu_copy_value: around the fields, then what the old ones held is freed.
      copyValue(v.cpus[cpu]!, value, this.valueFields);
      this.valueFields?.free(v.cpus[cpu]!);
    });
  }

  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const n = value.length;
    if (n !== this.valueSize && n !== Math.ceil(this.valueSize / 8) * 8 * this.env.cpus.count)
      return -Errno.EINVAL;
    return this.write(key, flags, (v) => v.setAll(value, this.valueFields));
  }

  /** An element deleted or evicted: every CPU's fields freed (check_and_free_fields). */
  protected override release(slot: Slot<PerCpuValue>): void {
    slot.value.freeFields(this.valueFields);
  }

  // __htab_lru_percpu_map_update_elem: a node is taken unless BPF_EXIST; an
  // existing element is updated in place and the spare node given back.
  private write(
    key: Uint8Array,
    flags: number,
    fill: (v: PerCpuValue, fresh: boolean) => void,
  ): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    let node: LruNode<Slot<PerCpuValue>> | undefined;
    if (flags !== BPF_EXIST) {
      node = this.lru.popFree(this.env.cpus.current);
      if (!node) return -Errno.ENOMEM;
    }
    const old = this.table.find(key);
    const err = checkUpdateFlags(old !== undefined, flags);
    if (!err && old) {
      this.lru.setRef(old.node);
      fill(old.node.payload.value, false);
    } else if (!err && node) {
      fill(node.payload.value, true);
      this.link(node, key);
      node = undefined;
    }
    if (node) this.lru.pushFree(node);
    return err;
  }
}
