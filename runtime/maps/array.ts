// BPF_MAP_TYPE_ARRAY (kernel/bpf/arraymap.c): max_entries zero-filled values
// indexed by a u32 key. Every slot always exists: the value views are made
// once and never replaced, so a program's pointer stays valid forever.
// delete -> -EINVAL; BPF_NOEXIST -> -EEXIST; index out of range -> -E2BIG
// on update and "not found" on lookup.

import { BPF_EXIST, BPF_F_LOCK, BPF_NOEXIST, Errno } from "./constants.js";
import type { MapInit } from "./hash.js";
import { MapBase, keyU32, u32Bytes, type MapEnv } from "./types.js";
import { copyValue } from "./value-fields.js";

/** array_map_update_elem's flag and index checks, shared with the per-CPU array. */
export function checkArrayUpdate(index: number, maxEntries: number, flags: number): number {
  if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -Errno.EINVAL;
  if (index >= maxEntries) return -Errno.E2BIG;
  if (flags & BPF_NOEXIST) return -Errno.EEXIST;
  // BPF_F_LOCK needs a bpf_spin_lock in the value's BTF, which these models never have.
  if (flags & BPF_F_LOCK) return -Errno.EINVAL;
  return 0;
}

/** array_map_get_next_key: 0 for no key or one past the end, index+1, or the end. */
export function arrayNextKey(
  key: Uint8Array | undefined,
  maxEntries: number,
): Uint8Array | undefined {
  const index = key ? keyU32(key) : maxEntries;
  if (index >= maxEntries) return u32Bytes(0);
  if (index === maxEntries - 1) return undefined;
  return u32Bytes(index + 1);
}

export class ArrayMap extends MapBase {
  /** One buffer for all values, as the kernel lays them out (elem_size = round_up(value_size, 8)). */
  private readonly values: Uint8Array[];

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    const stride = Math.ceil(def.valueSize / 8) * 8;
    const buf = new Uint8Array(stride * def.maxEntries);
    this.values = Array.from({ length: def.maxEntries }, (_, i) =>
      buf.subarray(i * stride, i * stride + def.valueSize),
    );
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.values[keyU32(key)];
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    const index = keyU32(key);
    const err = checkArrayUpdate(index, this.maxEntries, flags);
    if (err) return err;
    // array_map_update_elem: copy around the special fields, then free what the old ones held.
    const slot = this.values[index]!;
    copyValue(slot, value, this.valueFields);
    this.valueFields?.free(slot);
    return 0;
  }

  delete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return arrayNextKey(key, this.maxEntries);
  }
}
