// BPF_MAP_TYPE_PERCPU_HASH and BPF_MAP_TYPE_PERCPU_ARRAY: one value per CPU.
// A program sees (and writes) the copy of `env.cpus.current`; a program's
// insert of a new hash key zero-fills the other CPUs' copies. User space
// reads all copies as the syscall gives them (each padded to 8 bytes) and
// writes either every CPU's copy or, like bpftool, one value for all.
// Special fields of the value (per-CPU maps allow only kptrs) are handled as
// the kernel does: writes copy around them, user-space reads see them zeroed,
// an array slot written from a program or user space has what its old fields
// held freed (array_map_update_elem, bpf_percpu_array_update; the hashes'
// pcpu_copy_value on an update, in place or not), and a hash element
// deleted or evicted has every CPU's fields freed (check_and_free_fields).

import { BPF_EXIST, Errno } from "./constants.js";
import { arrayNextKey, checkArrayUpdate } from "./array.js";
import { preallocated, type HashElemPool } from "./hash-prealloc.js";
import type { HashElem } from "./hash-table.js";
import { checkUpdateFlags, TableMap, type MapInit } from "./hash.js";
import { MapBase, keyU32, roundUp, type MapEnv } from "./types.js";
import { copyValue, userCopy, zeroFields, type ValueFields } from "./value-fields.js";

/** The per-CPU copies of one element; views stay the same objects while it lives. */
export class PerCpuValue {
  readonly cpus: Uint8Array[];
  constructor(
    readonly valueSize: number,
    count: number,
  ) {
    const stride = roundUp(valueSize, 8);
    const buf = new Uint8Array(stride * count);
    this.cpus = Array.from({ length: count }, (_, i) =>
      buf.subarray(i * stride, i * stride + valueSize),
    );
  }

  /** The syscall's layout: every CPU's value, each padded to a multiple of 8, special fields zeroed. */
  concat(fields: ValueFields | undefined): Uint8Array {
    const stride = roundUp(this.valueSize, 8);
    const out = new Uint8Array(stride * this.cpus.length);
    this.cpus.forEach((v, i) => {
      out.set(v, i * stride);
      if (fields) zeroFields(out.subarray(i * stride, i * stride + this.valueSize), fields);
    });
    return out;
  }

  /** Every CPU's value as user space reads it (special fields zeroed). */
  copies(fields: ValueFields | undefined): Uint8Array[] {
    return this.cpus.map((v) => userCopy(v, fields));
  }

  /**
   * Writes a syscall buffer: one value (copied to all CPUs) or one per CPU,
   * around the special fields (copy_map_value_long), then frees what each
   * CPU's old fields held (bpf_obj_free_fields).
   */
  setAll(value: Uint8Array, fields: ValueFields | undefined): boolean {
    const stride = roundUp(this.valueSize, 8);
    const one = value.length === this.valueSize;
    if (!one && value.length !== stride * this.cpus.length) return false;
    this.cpus.forEach((v, i) => {
      copyValue(v, one ? value : value.subarray(i * stride, i * stride + this.valueSize), fields);
      fields?.free(v);
    });
    return true;
  }

  /** bpf_obj_free_fields on every CPU's value (an element that goes). */
  freeFields(fields: ValueFields | undefined): void {
    if (fields) for (const v of this.cpus) fields.free(v);
  }
}

/** What per-CPU maps add to BpfMap: every CPU's copy. */
export interface PerCpuMap {
  /** bpf_map_lookup_percpu_elem: the live copy of `cpu`, undefined past the last CPU. */
  lookupCpu(key: Uint8Array, cpu: number): Uint8Array | undefined;
  /** Copies of every CPU's value. */
  getPerCpu(key: Uint8Array): Uint8Array[] | undefined;
}

interface PerCpuElem extends HashElem {
  value: PerCpuValue;
}

export class PercpuHashMap extends TableMap<PerCpuElem> implements PerCpuMap {
  /**
   * The preallocated elements' per-CPU values (no spares: updates of an
   * existing key write in place), recycled in the kernel's order so that a
   * pointer kept across a delete sees the element's next key, as in the
   * kernel (hash-prealloc.ts); undefined under BPF_F_NO_PREALLOC.
   */
  private readonly pool: HashElemPool<PerCpuValue> | undefined;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    const make = () => new PerCpuValue(def.valueSize, env.cpus.count);
    this.pool = preallocated(def, env.cpus, make, false);
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.table.find(key)?.value.cpus[this.env.cpus.current];
  }

  lookupCpu(key: Uint8Array, cpu: number): Uint8Array | undefined {
    return this.table.find(key)?.value.cpus[cpu];
  }

  getPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    return this.table.find(key)?.value.copies(this.valueFields);
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    return this.table.find(key)?.value.concat(this.valueFields);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    return this.write(key, flags, (v, fresh) => {
      // pcpu_init_value: a new element's other CPUs are zeroed (recycled memory is not).
      if (fresh) for (const c of v.cpus) c.fill(0);
      // pcpu_copy_value: around the fields, then what the old ones held is freed.
      const slot = v.cpus[this.env.cpus.current]!;
      copyValue(slot, value, this.valueFields);
      this.valueFields?.free(slot);
      return true;
    });
  }

  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    if (!this.validSyscallValue(value)) return -Errno.EINVAL;
    return this.write(key, flags, (v) => v.setAll(value, this.valueFields));
  }

  protected validSyscallValue(value: Uint8Array): boolean {
    const n = value.length;
    return n === this.valueSize || n === roundUp(this.valueSize, 8) * this.env.cpus.count;
  }

  protected override freed(e: PerCpuElem): void {
    e.value.freeFields(this.valueFields);
    this.pool?.give(e.value);
  }

  // __htab_percpu_map_update_elem: existing elements are updated in place
  // (no reordering); a new one is filled and goes to its bucket's head.
  private write(
    key: Uint8Array,
    flags: number,
    fill: (v: PerCpuValue, fresh: boolean) => boolean,
  ): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    const old = this.table.find(key);
    const err = checkUpdateFlags(old !== undefined, flags);
    if (err) return err;
    if (old) {
      fill(old.value, false);
      return 0;
    }
    let value: PerCpuValue | undefined;
    if (this.pool) value = this.pool.take();
    else if (this.table.count < this.maxEntries)
      value = new PerCpuValue(this.valueSize, this.env.cpus.count);
    if (!value) return -Errno.E2BIG;
    fill(value, true);
    this.table.addHead({ ...this.table.ident(key), value });
    return 0;
  }
}

export class PercpuArrayMap extends MapBase implements PerCpuMap {
  private readonly values: PerCpuValue[];

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.values = Array.from(
      { length: def.maxEntries },
      () => new PerCpuValue(def.valueSize, env.cpus.count),
    );
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.values[keyU32(key)]?.cpus[this.env.cpus.current];
  }

  lookupCpu(key: Uint8Array, cpu: number): Uint8Array | undefined {
    return this.values[keyU32(key)]?.cpus[cpu];
  }

  getPerCpu(key: Uint8Array): Uint8Array[] | undefined {
    return this.values[keyU32(key)]?.copies(this.valueFields);
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    return this.values[keyU32(key)]?.concat(this.valueFields);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const index = keyU32(key);
    const err = checkArrayUpdate(index, this.maxEntries, flags);
    if (err) return err;
    // array_map_update_elem: copy around the fields, then free what the old ones held.
    const slot = this.values[index]!.cpus[this.env.cpus.current]!;
    copyValue(slot, value, this.valueFields);
    this.valueFields?.free(slot);
    return 0;
  }

  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const index = keyU32(key);
    const err = checkArrayUpdate(index, this.maxEntries, flags);
    if (err) return err;
    return this.values[index]!.setAll(value, this.valueFields) ? 0 : -Errno.EINVAL;
  }

  delete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return arrayNextKey(key, this.maxEntries);
  }
}
