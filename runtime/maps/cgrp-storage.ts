// BPF_MAP_TYPE_CGRP_STORAGE (kernel/bpf/bpf_cgrp_storage.c on
// bpf_local_storage.c): one value per cgroup, living in the cgroup rather than
// in the map. Programs reach it only through bpf_cgrp_storage_get/_delete with
// a `struct cgroup *` (runtime/helpers/cgroups.ts resolves the pointer to a
// cgroup id); the verifier refuses bpf_map_lookup_elem & co. on it.
//
// User space names a cgroup by an open cgroup fd in the kernel; the runtime
// has no fds, so its syscall-side key (4 bytes, as the kernel's) is the
// cgroup id's low 32 bits: a documented stand-in. Iteration is not offered
// by the kernel (get_next_key is -ENOTSUPP), so entries() yields nothing;
// `cgroups()` lists what is stored.

import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, Errno } from "./constants.js";
import type { MapInit } from "./hash.js";
import { MapBase, keyU32, type MapEnv } from "./types.js";

/** sizeof(struct bpf_local_storage_elem) on the reference kernel (6.18, x86-64). */
const SELEM_SIZE = 128;
/** BPF_LOCAL_STORAGE_MAX_VALUE_SIZE: U16_MAX minus the element header. */
export const LOCAL_STORAGE_MAX_VALUE_SIZE = 0xffff - SELEM_SIZE;

export class CgrpStorageMap extends MapBase {
  /** Values by cgroup id; a value keeps its identity (and address) while it lives. */
  private readonly values = new Map<bigint, Uint8Array>();

  constructor(env: MapEnv, init: MapInit) {
    super(env, init);
  }

  /** The cgroup's value, if any (cgroup_storage_lookup). */
  storageOf(cgroupId: bigint): Uint8Array | undefined {
    return this.values.get(cgroupId);
  }

  /** bpf_local_storage_update with BPF_NOEXIST: a fresh value, copied from `init` or zeroed. */
  create(cgroupId: bigint, init: Uint8Array | undefined): Uint8Array {
    const v = new Uint8Array(this.valueSize);
    if (init) v.set(init.subarray(0, this.valueSize));
    this.values.set(cgroupId, v);
    return v;
  }

  /** cgroup_storage_delete: 0, or -ENOENT when the cgroup has no value in this map. */
  deleteStorage(cgroupId: bigint): number {
    return this.values.delete(cgroupId) ? 0 : -Errno.ENOENT;
  }

  /** Every cgroup id with a value, and a copy of the value. */
  cgroups(): [bigint, Uint8Array][] {
    return [...this.values].map(([id, v]) => [id, v.slice()]);
  }

  private idOf(key: Uint8Array): bigint | undefined {
    const low = BigInt(keyU32(key));
    for (const id of this.values.keys()) if (BigInt.asUintN(32, id) === low) return id;
    return undefined;
  }

  // Syscall side (key: the cgroup id's low 32 bits, standing in for a cgroup fd).
  lookup(key: Uint8Array): Uint8Array | undefined {
    const id = this.idOf(key);
    return id === undefined ? undefined : this.values.get(id);
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags !== BPF_ANY && flags !== BPF_NOEXIST && flags !== BPF_EXIST) return -Errno.EINVAL;
    const id = this.idOf(key);
    if (id !== undefined && flags === BPF_NOEXIST) return -Errno.EEXIST;
    if (id === undefined && flags === BPF_EXIST) return -Errno.ENOENT;
    if (id !== undefined) this.values.get(id)!.set(value.subarray(0, this.valueSize));
    else this.create(BigInt(keyU32(key)), value);
    return 0;
  }

  delete(key: Uint8Array): number {
    const id = this.idOf(key);
    return id === undefined ? -Errno.ENOENT : this.deleteStorage(id);
  }

  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }
}
