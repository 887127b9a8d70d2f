// What the runtime does with each helper and kfunc of the seeds' XDP and LWT
// lists: implemented (kernel semantics), simulated (a documented stand-in
// value: no kernel objects exist here), refused (sleepable kfuncs, which the
// verifier never lets XDP/LWT programs call) or missing (a fault naming it).
// test/helpers/coverage.test.ts renders this as runtime/helpers/COVERAGE.md
// and fails when the file and the registries disagree.

import type { HelperRegistry, RunEnv } from "../env.js";
import { VmError } from "../vm/types.js";

export type Status = "implemented" | "simulated" | "refused" | "missing";

/** Names whose results are stand-ins, with what they give. */
export const SIMULATED: Readonly<Record<string, string>> = {
  bpf_get_hash_recalc: "jhash of the flow (the kernel keys it with a boot-random secret)",
  bpf_get_route_realm: "world.routeRealm (0, as test_run's skbs have no dst)",
  bpf_get_cgroup_classid: "world.cgroupClassid (0)",
  bpf_skb_under_cgroup: "the socket's cgroup is world.cgroupId; array slots hold cgroup ids",
  bpf_skb_get_tunnel_key: "world.rxTunnel (none by default: -EINVAL as test_run)",
  bpf_skb_get_tunnel_opt: "world.rxTunnel options (none: -ENOENT)",
  bpf_clone_redirect: "the clone is recorded, not sent",
  bpf_fib_lookup: "the user-supplied FIB in the world (routes, neighbours, devices)",
  bpf_check_mtu: "device MTUs from the world (loopback 65536)",
  bpf_get_numa_node_id: "world.numaNode (0)",
  bpf_jiffies64: "clock ns * world.hz / 1e9 (hz 250, the reference kernel's CONFIG_HZ)",
  bpf_get_current_task: "a read-only task_struct stand-in: pid, tgid, cgroups set, rest 0",
  bpf_get_current_task_btf: "a read-only task_struct stand-in: pid, tgid, cgroups set, rest 0",
  bpf_task_pt_regs: "a zeroed read-only pt_regs stand-in",
  bpf_probe_read_kernel: "program memory only; user-range addresses -ERANGE, others -EFAULT",
  bpf_probe_read_kernel_str: "program memory only; user-range addresses -ERANGE, others -EFAULT",
  bpf_probe_read_kernel_dynptr: "program memory only; user-range addresses -ERANGE, others -EFAULT",
  bpf_probe_read_kernel_str_dynptr: "program memory only; user-range -ERANGE, others -EFAULT",
  bpf_probe_read_user_dynptr: "no user memory: -EFAULT, dynptr untouched",
  bpf_probe_read_user_str_dynptr: "no user memory: -EFAULT, dynptr untouched",
  bpf_probe_read_user: "no user memory: -EFAULT, zeroed",
  bpf_probe_read_user_str: "no user memory: -EFAULT, zeroed",
  bpf_get_current_pid_tgid: "world.tgid << 32 | world.pid (0)",
  bpf_get_current_cgroup_id: "world.cgroupId (1)",
  bpf_get_current_ancestor_cgroup_id: "world.cgroupAncestors[level]",
  bpf_get_ns_current_pid_tgid: "no matching pid namespace: -EINVAL",
  bpf_sk_lookup_tcp: "no sockets: NULL",
  bpf_sk_lookup_udp: "no sockets: NULL",
  bpf_skc_lookup_tcp: "no sockets: NULL",
  bpf_sk_release: "no sockets: 0",
  bpf_tcp_check_syncookie: "no sockets: -EINVAL",
  bpf_tcp_gen_syncookie: "no sockets: -EINVAL",
  bpf_snprintf: "%p, %pK, %ps, %pS, %pB print the raw value",
  bpf_trace_vprintk: "%p, %pK, %ps, %pS, %pB print the raw value",
  bpf_xdp_metadata_rx_hash: "-EOPNOTSUPP (no device-bound program under test_run)",
  bpf_xdp_metadata_rx_timestamp: "-EOPNOTSUPP (no device-bound program under test_run)",
  bpf_xdp_metadata_rx_vlan_tag: "-EOPNOTSUPP (no device-bound program under test_run)",
  bpf_local_irq_save: "stores 0x200 (IF set)",
  bpf_xdp_ct_lookup: "the object's table (obj.conntrack); netns_id >= 0: -ENONET",
  bpf_xdp_ct_alloc: "the object's table (obj.conntrack); netns_id >= 0: -ENONET",
  bpf_skb_ct_lookup: "the object's table (obj.conntrack); netns_id >= 0: -ENONET",
  bpf_skb_ct_alloc: "the object's table (obj.conntrack); netns_id >= 0: -ENONET",
  bpf_ct_insert_entry: "into the object's simulated conntrack table",
  bpf_ct_set_nat_info: "one address/port, never re-picked to avoid a clash",
  bpf_task_from_pid: "no tasks: NULL",
  bpf_task_acquire: "returns its argument",
  bpf_task_release: "no-op",
  bpf_task_under_cgroup: "whether world.cgroupId is under the cgroup (cgroups.ts)",
  bpf_task_get_cgroup1: "NULL",
  bpf_cgroup_from_id: "a stand-in cgroup of world.cgroups (root 1, cgroupId), else NULL",
  bpf_cgroup_acquire: "returns its argument (simulated cgroups never die)",
  bpf_cgroup_ancestor: "ancestors from world.cgroups' parents",
  bpf_cgroup_release: "no-op",
  bpf_snprintf_btf: "types of world.kernelBtf (/sys/kernel/btf/vmlinux); hashed %p printed raw",
  bpf_cgrp_storage_get: "kernel semantics on the simulated cgroups (task->cgroups->dfl_cgrp)",
  bpf_cgrp_storage_delete: "kernel semantics on the simulated cgroups (task->cgroups->dfl_cgrp)",
  bpf_get_kmem_cache: "NULL",
  bpf_iter_task_new: "empty iteration",
  bpf_iter_task_next: "empty iteration",
  bpf_iter_task_destroy: "empty iteration",
  bpf_iter_css_new: "empty iteration",
  bpf_iter_css_next: "empty iteration",
  bpf_iter_css_destroy: "empty iteration",
  bpf_iter_css_task_new: "empty iteration",
  bpf_iter_css_task_next: "empty iteration",
  bpf_iter_css_task_destroy: "empty iteration",
  bpf_iter_task_vma_new: "empty iteration",
  bpf_iter_task_vma_next: "empty iteration",
  bpf_iter_task_vma_destroy: "empty iteration",
  bpf_cast_to_kern_ctx: "read-only xdp_buff/sk_buff with 6.18's layout, fields in kern-ctx.ts",
  bpf_stream_vprintk: "text in RunOutput.streams, returns 0 (6.18 test_run: -ENOMEM)",
};

/** Implemented names that cover only part of what the kernel accepts, with the part left out. */
export const PARTIAL: Readonly<Record<string, string>> = {
  bpf_per_cpu_ptr: "per-CPU objects (bpf_percpu_obj_new); __ksym variables: load refused",
  bpf_this_cpu_ptr: "per-CPU objects (bpf_percpu_obj_new); __ksym variables: load refused",
};

/** How a registry handles `name`: missing ones fault with a reason, which is returned. */
export function statusOf(registry: HelperRegistry, name: string): { status: Status; note: string } {
  const impl = registry[name];
  if (!impl) return { status: "missing", note: "no implementation (fault: unknown helper)" };
  // Faulting stubs throw before touching the environment; real ones get no further than this.
  const probe = { progType: "socket_filter" } as unknown as RunEnv;
  try {
    impl(probe, 0n, 0n, 0n, 0n, 0n);
  } catch (e) {
    if (e instanceof VmError && /sleepable/.test(e.message)) {
      return { status: "refused", note: "sleepable: the verifier refuses it in XDP/LWT" };
    }
    const refused =
      e instanceof VmError
        ? /is refused by the verifier in \S+ programs \((.*)\)$/.exec(e.message)
        : null;
    if (refused) return { status: "refused", note: refused[1]! };
    const m =
      e instanceof VmError ? /not implemented by the tsbpf runtime \((.*)\)/.exec(e.message) : null;
    if (m) return { status: "missing", note: m[1]! };
  }
  const sim = SIMULATED[name];
  if (sim) return { status: "simulated", note: sim };
  return { status: "implemented", note: PARTIAL[name] ?? "" };
}
