// Simulated cgroups (cgroup v2, the default hierarchy) and what programs do
// with them: bpf_cgrp_storage_get/_delete (LWT helpers, on
// BPF_MAP_TYPE_CGRP_STORAGE, runtime/maps/cgrp-storage.ts) and the cgroup
// kfuncs bpf_cgroup_from_id/_acquire/_release/_ancestor and
// bpf_task_under_cgroup (XDP).
//
// SIMULATED: the cgroups are the world's table (world.cgroups: ids and
// parents; the root, id 1, always exists, and so does the current task's
// cgroup world.cgroupId, as a child of the root unless the table says
// otherwise). Each cgroup a program reaches is a read-only stand-in `struct
// cgroup` with the reference kernel's layout (6.18, x86-64, offsets from its
// BTF) where programs read: level, kn (a kernfs_node whose id is the cgroup
// id) and ancestors[]. The current task's stand-in (simulated.ts) points at
// its css_set, whose dfl_cgrp is the current cgroup: that is how an LWT
// program, which has no cgroup kfuncs, reaches a cgroup
// (bpf_get_current_task_btf()->cgroups->dfl_cgrp). Every other field reads 0;
// a load outside the stand-ins faults (the kernel's PROBE_MEM loads give 0).

import type { HelperImpl, RunEnv } from "../env.js";
import { CgrpStorageMap } from "../maps/cgrp-storage.js";
import { VmError, type Pointer } from "../vm/types.js";
import {
  E,
  dv,
  family,
  neg,
  readMem,
  runState,
  s32,
  worldOf,
  type HelperWorld,
} from "./support.js";

/** struct cgroup: size, and where level, kn and ancestors[] sit. */
const CGROUP = { size: 2240, level: 216, kn: 256, ancestors: 2224 } as const;
/** struct kernfs_node: size and id (the cgroup id). */
const KERNFS_NODE = { size: 136, id: 96 } as const;
/** struct css_set: size and dfl_cgrp. */
export const CSS_SET = { size: 544, dflCgrp: 112 } as const;
/** BPF_LOCAL_STORAGE_GET_F_CREATE. */
const F_CREATE = 1n;

/** The root cgroup's id on cgroup v2 (its kernfs node is the first one). */
export const ROOT_CGROUP_ID = 1n;

/** The parent of cgroup `id`, null for the root, undefined when no such cgroup exists. */
function parentOf(w: HelperWorld, id: bigint): bigint | null | undefined {
  if (id === ROOT_CGROUP_ID) return null;
  const e = w.cgroups.find((c) => c.id === id);
  if (e) return e.parent ?? ROOT_CGROUP_ID;
  return id === w.cgroupId ? ROOT_CGROUP_ID : undefined;
}

/** The ids from the root down to `id` (undefined when `id` is no cgroup or the chain loops). */
export function cgroupChain(w: HelperWorld, id: bigint): bigint[] | undefined {
  const chain: bigint[] = [];
  for (let at: bigint | null | undefined = id; at !== null; at = parentOf(w, at)) {
    if (at === undefined || chain.includes(at) || chain.length > 64) return undefined;
    chain.unshift(at);
  }
  return chain;
}

interface CgroupRuns {
  byId: Map<bigint, Pointer>;
  byPtr: Map<Pointer, bigint>;
  cssSet?: Pointer;
}

const runs = new WeakMap<RunEnv, CgroupRuns>();

function state(env: RunEnv): CgroupRuns {
  return runState(runs, env, newCgroupRuns);
}

const newCgroupRuns = (): CgroupRuns => ({ byId: new Map(), byPtr: new Map() });

/** The stand-in `struct cgroup` of cgroup `id` for this run, or undefined when it does not exist. */
export function cgroupPointer(env: RunEnv, id: bigint): Pointer | undefined {
  const s = state(env);
  const known = s.byId.get(id);
  if (known !== undefined) return known;
  const chain = cgroupChain(worldOf(env), id);
  if (!chain) return undefined;
  const level = chain.length - 1;
  const ancestors = chain.slice(0, -1).map((a) => cgroupPointer(env, a)!);
  const kn = new Uint8Array(KERNFS_NODE.size);
  dv(kn).setBigUint64(KERNFS_NODE.id, id, true);
  const cg = new Uint8Array(Math.max(CGROUP.size, CGROUP.ancestors + 8 * (level + 1)));
  const v = dv(cg);
  v.setInt32(CGROUP.level, level, true);
  v.setBigUint64(CGROUP.kn, env.expose("memory", kn, `kernfs_node ${id} (simulated)`, true), true);
  ancestors.forEach((p, i) => v.setBigUint64(CGROUP.ancestors + 8 * i, p, true));
  const ptr = env.expose("memory", cg, `cgroup ${id} (simulated)`, true);
  v.setBigUint64(CGROUP.ancestors + 8 * level, ptr, true); // ancestors[level] is the cgroup itself
  s.byId.set(id, ptr);
  s.byPtr.set(ptr, id);
  return ptr;
}

/** The current task's css_set stand-in (dfl_cgrp: the current cgroup), for the task stand-in. */
export function currentCssSet(env: RunEnv): Pointer {
  const s = state(env);
  if (s.cssSet === undefined) {
    const css = new Uint8Array(CSS_SET.size);
    const cg = cgroupPointer(env, worldOf(env).cgroupId);
    if (cg === undefined) throw new VmError("helper", "the current cgroup loops in world.cgroups");
    dv(css).setBigUint64(CSS_SET.dflCgrp, cg, true);
    s.cssSet = env.expose("memory", css, "css_set (simulated)", true);
  }
  return s.cssSet;
}

/** The cgroup id a `struct cgroup *` argument names (the verifier guarantees one). */
function cgroupId(env: RunEnv, ptr: Pointer, helper: string): bigint {
  const id = state(env).byPtr.get(ptr);
  if (id === undefined) {
    throw new VmError(
      "helper",
      `${helper}: 0x${BigInt.asUintN(64, ptr).toString(16)} is not a struct cgroup pointer`,
    );
  }
  return id;
}

function storageMap(env: RunEnv, ptr: Pointer, helper: string): CgrpStorageMap {
  const m = env.maps.require(ptr, helper);
  if (!(m instanceof CgrpStorageMap)) {
    throw new VmError("helper", `${helper}: map ${m.name} is not a BPF_MAP_TYPE_CGRP_STORAGE map`);
  }
  return m;
}

/** bpf_cgrp_storage_get: the cgroup's value, created (copied from `value`, or zeroed) with F_CREATE. */
const storageGet: HelperImpl = (env, mapPtr, cg, value, flags) => {
  const map = storageMap(env, mapPtr, "bpf_cgrp_storage_get");
  if (flags & ~F_CREATE || cg === 0n) return 0n;
  const id = cgroupId(env, cg, "bpf_cgrp_storage_get");
  let v = map.storageOf(id);
  if (!v && flags & F_CREATE) {
    v = map.create(id, value === 0n ? undefined : readMem(env, value, map.valueSize));
  }
  return v ? env.maps.valuePointer(map, v) : 0n;
};

/** bpf_cgrp_storage_delete: 0, -ENOENT without a value, -EINVAL for a NULL cgroup. */
const storageDelete: HelperImpl = (env, mapPtr, cg) => {
  const map = storageMap(env, mapPtr, "bpf_cgrp_storage_delete");
  if (cg === 0n) return neg(E.EINVAL);
  return BigInt(map.deleteStorage(cgroupId(env, cg, "bpf_cgrp_storage_delete")));
};

export const cgroupHelpers = family({
  bpf_cgrp_storage_get: storageGet,
  bpf_cgrp_storage_delete: storageDelete,
});

export const cgroupKfuncs = {
  bpf_cgroup_from_id: (env: RunEnv, id: bigint) => cgroupPointer(env, id) ?? 0n,
  // Every simulated cgroup is alive: cgroup_tryget succeeds, references need no counting.
  bpf_cgroup_acquire: (_env: RunEnv, cg: bigint) => cg,
  bpf_cgroup_release: () => 0n,
  bpf_cgroup_ancestor: (env: RunEnv, cg: bigint, level: bigint) => {
    const chain = cgroupChain(worldOf(env), cgroupId(env, cg, "bpf_cgroup_ancestor"))!;
    const l = s32(level);
    return l < 0 || l >= chain.length ? 0n : cgroupPointer(env, chain[l]!)!;
  },
  // task_under_cgroup_hierarchy: the (only) task is in world.cgroupId.
  bpf_task_under_cgroup: (env: RunEnv, _task: bigint, ancestor: bigint) => {
    const id = cgroupId(env, ancestor, "bpf_task_under_cgroup");
    return cgroupChain(worldOf(env), worldOf(env).cgroupId)?.includes(id) ? 1n : 0n;
  },
};
