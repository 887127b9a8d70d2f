// Helpers and kfuncs with no meaning outside a kernel, given documented
// SIMULATED values so programs using them still run: the current task is a
// stand-in task_struct, zeroed but for pid, tgid and its cgroups (css_set, whose
// dfl_cgrp is the world's current cgroup, cgroups.ts), probe
// reads copy from program memory and fail (-EFAULT, zeroed) anywhere else
// (user memory never exists), socket lookups find no socket, task lookups
// find nothing, iterators over kernel objects are empty.
// Everything the runtime cannot honestly fake is `notImplemented` (a fault
// naming the helper), and sleepable kfuncs fault as the verifier refuses them.

import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import type { HelperImpl, HelperRegistry, RunEnv } from "../env.js";
import { sleepableRefused } from "./kfuncs.js";
import { kernelBytes } from "./probe-dynptr.js";
import { currentCssSet } from "./cgroups.js";
import {
  E,
  dv,
  family,
  neg,
  notImplemented,
  runState,
  u32,
  worldOf,
  writableMem,
} from "./support.js";

/** sizeof(struct task_struct) is ~10 KiB; fields read as 0. */
const TASK_SIZE = 16384;
/** sizeof(struct pt_regs) on x86-64. */
const PT_REGS_SIZE = 168;

/** task_struct fields the stand-in fills (6.18, x86-64 offsets): pid, tgid, cgroups. */
const TASK = { pid: 1264, tgid: 1268, cgroups: 2376 } as const;

const tasks = new WeakMap<RunEnv, { task: bigint; regs: bigint }>();

function currentTask(env: RunEnv): { task: bigint; regs: bigint } {
  return runState(tasks, env, () => {
    const task = new Uint8Array(TASK_SIZE);
    const w = worldOf(env);
    dv(task).setUint32(TASK.pid, w.pid, true);
    dv(task).setUint32(TASK.tgid, w.tgid, true);
    dv(task).setBigUint64(TASK.cgroups, currentCssSet(env), true);
    return {
      task: env.expose("memory", task, "task_struct (simulated)", true),
      regs: env.expose("memory", new Uint8Array(PT_REGS_SIZE), "pt_regs (simulated)", true),
    };
  });
}

/** copy_from_kernel_nofault: program memory copies; user-range addresses -ERANGE, others -EFAULT. */
const probeRead =
  (user: boolean): HelperImpl =>
  (env, dst, size, src) => {
    const out = writableMem(env, dst, u32(size));
    const b = user ? neg(E.EFAULT) : kernelBytes(env, src, u32(size));
    if (typeof b === "bigint") {
      out.fill(0);
      return b;
    }
    out.set(b);
    return 0n;
  };

const probeReadStr =
  (user: boolean): HelperImpl =>
  (env, dst, size, src) => {
    const n = u32(size);
    const out = writableMem(env, dst, n);
    if (n === 0) return 0n;
    const at = user ? undefined : env.vm.mem.regionOf(src);
    if (!at || at.offset >= at.region.bytes.length) {
      out.fill(0);
      // strncpy_from_kernel_nofault refuses user-range addresses before reading (-ERANGE).
      if (user) return neg(E.EFAULT);
      const err = kernelBytes(env, src, n);
      return typeof err === "bigint" ? err : neg(E.EFAULT);
    }
    const avail = at.region.bytes.subarray(at.offset, at.offset + n);
    const nul = avail.indexOf(0);
    if (nul >= 0) {
      out.set(avail.subarray(0, nul + 1));
      return BigInt(nul + 1);
    }
    if (avail.length < n) {
      out.fill(0); // ran into unmapped memory before the NUL
      return neg(E.EFAULT);
    }
    out.set(avail.subarray(0, n - 1));
    out[n - 1] = 0;
    return BigInt(n);
  };

export const simulatedHelpers = family({
  bpf_get_current_task: (env) => currentTask(env).task,
  bpf_get_current_task_btf: (env) => currentTask(env).task,
  bpf_task_pt_regs: (env) => currentTask(env).regs,
  bpf_probe_read_kernel: probeRead(false),
  bpf_probe_read_user: probeRead(true),
  bpf_probe_read_kernel_str: probeReadStr(false),
  bpf_probe_read_user_str: probeReadStr(true),
  bpf_get_current_pid_tgid: (env) => {
    const w = worldOf(env);
    return (BigInt(w.tgid >>> 0) << 32n) | BigInt(w.pid >>> 0);
  },
  bpf_get_current_cgroup_id: (env) => worldOf(env).cgroupId,
  bpf_get_current_ancestor_cgroup_id: (env, level) =>
    worldOf(env).cgroupAncestors[Number(BigInt.asIntN(32, level))] ?? 0n,
  // No pid namespace matches the simulated task: the kernel clears and says -EINVAL.
  bpf_get_ns_current_pid_tgid: (env, _dev, _ino, out, size) => {
    writableMem(env, out, u32(size)).fill(0);
    return neg(E.EINVAL);
  },
  // No sockets exist in the runtime: lookups find none.
  bpf_sk_lookup_tcp: () => 0n,
  bpf_sk_lookup_udp: () => 0n,
  bpf_skc_lookup_tcp: () => 0n,
  bpf_sk_release: () => 0n,
  bpf_tcp_check_syncookie: () => neg(E.EINVAL),
  bpf_tcp_gen_syncookie: () => neg(E.EINVAL),
});

const empty: HelperImpl = () => 0n;

/** Kfuncs given simulated values. */
const simulatedKfuncImpls: Record<string, HelperImpl> = {
  bpf_task_from_pid: () => 0n,
  bpf_task_acquire: (_env, p) => p,
  bpf_task_release: empty,
  bpf_task_get_cgroup1: () => 0n,
  bpf_get_kmem_cache: () => 0n,
};

// Iterators over kernel objects (tasks, css, css tasks, VMAs): empty.
for (const it of ["task", "css", "css_task", "task_vma"]) {
  simulatedKfuncImpls[`bpf_iter_${it}_new`] = empty;
  simulatedKfuncImpls[`bpf_iter_${it}_next`] = () => 0n;
  simulatedKfuncImpls[`bpf_iter_${it}_destroy`] = empty;
}

/** Kfuncs the runtime does not implement, and why. */
const MISSING: Record<string, string> = {};

const missingKfuncImpls: Record<string, HelperImpl> = {};
for (const [name, why] of Object.entries(MISSING))
  missingKfuncImpls[name] = notImplemented(name, why);
// Sleepable kfuncs (arena, user copies, xattr, dmabuf/kmem_cache iterators):
// XDP and LWT programs are never sleepable, so the verifier refuses them.
const sleepableImpls: Record<string, HelperImpl> = {};
for (const k of KFUNCS) {
  if (k.progTypes.length && k.flags.includes("sleepable")) {
    sleepableImpls[k.name] = sleepableRefused(k.name);
  }
}

export const simulatedKfuncs: HelperRegistry = simulatedKfuncImpls;
export const missingKfuncs: HelperRegistry = { ...missingKfuncImpls, ...sleepableImpls };
