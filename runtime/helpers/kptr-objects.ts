// Local kptr objects (kernel/bpf/helpers.c): bpf_obj_new_impl allocates a
// struct of the program's own BTF (the type id argument is a local type id,
// as clang's __builtin_btf_type_id(type, 0) leaves it), bpf_obj_drop_impl
// frees it (dropping whatever lists and rbtrees inside it still hold),
// bpf_refcount_acquire_impl takes another reference on a struct with a
// bpf_refcount field, and the per-CPU variants allocate one copy per CPU.
//
// An object is a region of its own in the VM's memory, kept across runs of the loaded
// object (objects live in lists, trees and map kptr slots until dropped).
// Freeing removes the region, so a use after free faults. The meta argument
// (which the verifier fills with the struct's btf_record) is ignored: the
// record is read from the BTF here. SIMULATED: a new object reads as zeros;
// the kernel only initialises its special fields, the rest is whatever the
// allocator's cache held (seen on the reference kernel: a freed object's
// old key), so programs must not rely on either. An object left in a map's
// kptr slot is dropped when the element is deleted or overwritten
// (value-fields.ts); not modelled: the map itself being freed (a loaded
// object lives as long as the process). bpf_per_cpu_ptr/bpf_this_cpu_ptr on a
// per-CPU object reach its copies through perCpuObjectCopy (percpu-ptr.ts).

import type { BtfComposite } from "../../bpf/btf/types.js";
import type { HelperImpl, RunEnv } from "../env.js";
import type { Region } from "../vm/memory.js";
import { VmError, type Pointer } from "../vm/types.js";
import { localStruct } from "./program-btf.js";

/** bpf_percpu_obj_new: the verifier refuses structs over 512 bytes (BPF_GLOBAL_PERCPU_MA_MAX_SIZE). */
const MAX_PERCPU_OBJ_SIZE = 512;

export interface LocalObject {
  region: Region;
  type: BtfComposite;
  typeId: number;
  /** References held (1 from bpf_obj_new; bpf_refcount_acquire adds one). */
  refs: number;
  /** Whether the struct has a bpf_refcount field (only then refs can exceed 1). */
  refcounted: boolean;
  /** Per-CPU objects: the copies, by CPU (region is a zero-size handle then). */
  copies?: Region[];
}

/** Hooks other families register to release what an object's fields hold when it is freed. */
const fieldReleasers: ((env: RunEnv, obj: LocalObject) => void)[] = [];

export function onObjectFree(release: (env: RunEnv, obj: LocalObject) => void): void {
  fieldReleasers.push(release);
}

const tables = new WeakMap<object, Map<Region, LocalObject>>();

function table(env: RunEnv): Map<Region, LocalObject> {
  let t = tables.get(env.maps);
  if (!t) {
    t = new Map();
    tables.set(env.maps, t);
  }
  return t;
}

/** The live object a pointer points into (any offset), or undefined. */
export function objectAt(
  env: RunEnv,
  ptr: Pointer,
): { obj: LocalObject; offset: number } | undefined {
  const at = env.vm.mem.regionOf(ptr);
  const obj = at && table(env).get(at.region);
  return obj ? { obj, offset: at.offset } : undefined;
}

/** The object a kfunc argument must be (its start), or a fault the verifier would have given. */
export function requireObject(env: RunEnv, ptr: Pointer, kfunc: string): LocalObject {
  const at = objectAt(env, ptr);
  if (!at) {
    throw new VmError(
      "helper",
      `${kfunc}: 0x${BigInt.asUintN(64, ptr).toString(16)} is not a live object from bpf_obj_new (freed, or never allocated)`,
    );
  }
  if (at.offset !== 0) throw new VmError("helper", `${kfunc}: pointer is not the object's start`);
  return at.obj;
}

function allocate(env: RunEnv, typeId: bigint, percpu: boolean, kfunc: string): Pointer {
  const id = Number(BigInt.asUintN(32, typeId));
  const type = localStruct(env, id, kfunc);
  if (percpu && type.size > MAX_PERCPU_OBJ_SIZE) {
    throw new VmError(
      "helper",
      `${kfunc}: ${type.name} is over 512 bytes (the verifier refuses it)`,
    );
  }
  const mem = env.vm.mem;
  const name = `${percpu ? "per-CPU " : ""}object ${type.name}`;
  const obj: LocalObject = {
    region: mem.addRegion("memory", new Uint8Array(percpu ? 0 : type.size), { name }),
    type,
    typeId: id,
    refs: 1,
    refcounted: type.members.some((m) => {
      const t = localStructName(env, m.type);
      return t === "bpf_refcount";
    }),
  };
  if (percpu) {
    obj.copies = Array.from({ length: env.cpus.count }, (_, cpu) =>
      mem.addRegion("memory", new Uint8Array(type.size), { name: `${name} (CPU ${cpu})` }),
    );
  }
  table(env).set(obj.region, obj);
  return obj.region.ptr;
}

function localStructName(env: RunEnv, id: number): string | undefined {
  try {
    return localStruct(env, id, "").name;
  } catch {
    return undefined;
  }
}

/** Drop one reference; the last one frees the object and what its fields hold. */
export function dropObject(env: RunEnv, obj: LocalObject): void {
  if (--obj.refs > 0) return;
  table(env).delete(obj.region);
  for (const release of fieldReleasers) release(env, obj);
  env.vm.mem.removeRegion(obj.region);
  for (const c of obj.copies ?? []) env.vm.mem.removeRegion(c);
}

/** A per-CPU object's copy for `cpu` (what bpf_per_cpu_ptr gives for it), or undefined. */
export function perCpuObjectCopy(env: RunEnv, ptr: Pointer, cpu: number): Pointer | undefined {
  const at = objectAt(env, ptr);
  return at?.obj.copies?.[cpu]?.ptr;
}

const objNew: HelperImpl = (env, typeId) => allocate(env, typeId, false, "bpf_obj_new_impl");
const percpuObjNew: HelperImpl = (env, typeId) =>
  allocate(env, typeId, true, "bpf_percpu_obj_new_impl");

function drop(kfunc: string, percpu: boolean): HelperImpl {
  return (env, p) => {
    const obj = requireObject(env, p, kfunc);
    if (!!obj.copies !== percpu) {
      throw new VmError(
        "helper",
        `${kfunc}: ${obj.type.name} was allocated by ${percpu ? "bpf_obj_new" : "bpf_percpu_obj_new"} (the verifier refuses it)`,
      );
    }
    dropObject(env, obj);
    return 0n;
  };
}

/** refcount_inc_not_zero on a refcounted object: the same pointer, or NULL once it is freed. */
const refcountAcquire: HelperImpl = (env, p) => {
  const at = objectAt(env, p);
  if (!at) return 0n;
  if (!at.obj.refcounted) {
    throw new VmError(
      "helper",
      `bpf_refcount_acquire_impl: ${at.obj.type.name} has no bpf_refcount field (the verifier refuses it)`,
    );
  }
  at.obj.refs++;
  return p;
};

export const kptrObjectKfuncs = {
  bpf_obj_new_impl: objNew,
  bpf_obj_drop_impl: drop("bpf_obj_drop_impl", false),
  bpf_percpu_obj_new_impl: percpuObjNew,
  bpf_percpu_obj_drop_impl: drop("bpf_percpu_obj_drop_impl", true),
  bpf_refcount_acquire_impl: refcountAcquire,
};
