// Map-in-map support (kernel/bpf/map_in_map.c): the compatibility rule
// between an outer map's inner template and the maps stored in it, and
// BPF_MAP_TYPE_HASH_OF_MAPS (a hash map whose values are map ids).

import { BPF_ANY, BPF_F_INNER_MAP, Errno } from "./constants.js";
import { HashMap, type MapInit } from "./hash.js";
import { keyU32, type BpfMap, type MapEnv } from "./types.js";

/** bpf_map_meta_equal: same type, sizes and flags; same max_entries unless BPF_F_INNER_MAP. */
export function metaEqual(template: BpfMap, m: BpfMap): boolean {
  return (
    template.type === m.type &&
    template.keySize === m.keySize &&
    template.valueSize === m.valueSize &&
    template.flags === m.flags &&
    (template.maxEntries === m.maxEntries || (template.flags & BPF_F_INNER_MAP) !== 0)
  );
}

/** Values are the u32 id of an inner map compatible with the template. */
export class HashOfMapsMap extends HashMap {
  constructor(
    env: MapEnv,
    def: MapInit,
    readonly inner: BpfMap,
  ) {
    super(env, def);
  }

  /** Programs cannot update a map of maps. */
  override update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }

  override set(key: Uint8Array, value: Uint8Array, flags = BPF_ANY): number {
    const m = this.env.maps.get(keyU32(value));
    if (!m) return -9; // EBADF
    if (!metaEqual(this.inner, m)) return -Errno.EINVAL;
    return super.update(key, value, flags);
  }

  lookupMap(key: Uint8Array): BpfMap | undefined {
    const v = this.lookup(key);
    return v && this.env.maps.get(keyU32(v));
  }
}
