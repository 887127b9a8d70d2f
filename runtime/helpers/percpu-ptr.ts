// bpf_per_cpu_ptr (153) and bpf_this_cpu_ptr (154) on per-CPU kptr objects
// (bpf_percpu_obj_new_impl, kept one copy per CPU by kptr-objects.ts): the
// kernel turns the per-CPU pointer into the address of one CPU's copy.
// bpf_per_cpu_ptr gives NULL for cpu >= nr_cpu_ids (here env.cpus.count, the
// runtime's configurable CPU count); bpf_this_cpu_ptr gives the copy of the
// CPU the run is on (env.cpus.current).
//
// Not supported: per-CPU kernel variables declared `extern ... __ksym` (e.g.
// runqueues); the object's load fails naming the unresolved kernel variable
// (bpf/elf/programs.ts). The reference kernel (6.18 without
// CONFIG_KALLSYMS_ALL) refuses them at load too ("ldimm64 failed to find the
// address for kernel symbol"), so there is nothing to compare a simulation with.

import type { HelperImpl, RunEnv } from "../env.js";
import { VmError, type Pointer } from "../vm/types.js";
import { objectAt, perCpuObjectCopy } from "./kptr-objects.js";
import { u32 } from "./support.js";

/** The per-CPU object's copy for `cpu`, or a fault when `ptr` is not a per-CPU object. */
function copyOf(env: RunEnv, ptr: Pointer, cpu: number, helper: string): Pointer | undefined {
  const at = objectAt(env, ptr);
  if (!at?.obj.copies) {
    throw new VmError(
      "helper",
      `${helper}: 0x${BigInt.asUintN(64, ptr).toString(16)} is not a live per-CPU object from ` +
        "bpf_percpu_obj_new (per-CPU kernel variables declared __ksym are not supported by the tsbpf runtime)",
    );
  }
  return perCpuObjectCopy(env, ptr, cpu);
}

const perCpuPtr: HelperImpl = (env, ptr, cpu) => {
  // The kernel compares the u32 cpu with nr_cpu_ids before touching the pointer.
  const n = u32(cpu);
  if (n >= env.cpus.count) return 0n;
  return copyOf(env, ptr, n, "bpf_per_cpu_ptr") ?? 0n;
};

const thisCpuPtr: HelperImpl = (env, ptr) => {
  const copy = copyOf(env, ptr, env.cpus.current, "bpf_this_cpu_ptr");
  if (copy === undefined) {
    throw new VmError("helper", `bpf_this_cpu_ptr: no copy for CPU ${env.cpus.current}`);
  }
  return copy;
};

export const percpuPtrHelpers = {
  bpf_per_cpu_ptr: perCpuPtr,
  bpf_this_cpu_ptr: thisCpuPtr,
};
