// C programs of cgroups-kernel.test.ts. Kernel structs are declared with the
// reference kernel's offsets (6.18, x86-64; no CO-RE: the runtime does not
// relocate field offsets), as runtime/helpers/cgroups.ts lays out its stand-ins.

const KERNEL_STRUCTS = String.raw`
struct kernfs_node { char _p[96]; __u64 id; };
struct cgroup { char _p[216]; int level; char _q[36]; struct kernfs_node *kn; };
struct css_set { char _p[112]; struct cgroup *dfl_cgrp; };
struct task_struct { char _p[2376]; struct css_set *cgroups; };
`;

/** LWT: cgroup storage on the current task's cgroup; byte 0 of the packet picks the operation. */
export const CGRP_STORAGE_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
${KERNEL_STRUCTS}
struct { __uint(type, 32 /* BPF_MAP_TYPE_CGRP_STORAGE: newer than these headers */); __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, int); __type(value, __u64); } st SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 12); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
#define NONE 0xdeadULL

SEC("lwt_xmit") int storage(struct __sk_buff *skb) {
  __u8 *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
  if (d + 2 > e) return BPF_DROP;
  __u8 op = d[0];
  struct task_struct *t = bpf_get_current_task_btf();
  struct cgroup *cg = t->cgroups->dfl_cgrp;
  put(0, cg->kn->id);
  put(1, cg->level);
  put(2, bpf_get_current_cgroup_id());
  __u64 *v = bpf_cgrp_storage_get(&st, cg, 0, 0);
  put(3, v ? *v : NONE);
  __u64 init = 0x1000 + d[1];
  if (op == 1) {
    v = bpf_cgrp_storage_get(&st, cg, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
    put(4, v ? *v : NONE);
    if (v) *v += 1;
  } else if (op == 2) {
    put(4, (__u64)bpf_cgrp_storage_delete(&st, cg));
  } else if (op == 3) {
    v = bpf_cgrp_storage_get(&st, cg, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
    put(4, v ? *v : NONE);
  } else if (op == 4) {
    v = bpf_cgrp_storage_get(&st, cg, &init, BPF_LOCAL_STORAGE_GET_F_CREATE | 2);
    put(4, v ? *v : NONE);
  }
  v = bpf_cgrp_storage_get(&st, 0, &init, BPF_LOCAL_STORAGE_GET_F_CREATE);
  put(5, v ? *v : NONE);
  put(6, (__u64)bpf_cgrp_storage_delete(&st, 0));
  v = bpf_cgrp_storage_get(&st, cg, 0, 0);
  put(7, v ? *v : NONE);
  put(8, bpf_get_current_ancestor_cgroup_id(0));
  put(9, bpf_get_current_ancestor_cgroup_id(1));
  put(10, bpf_get_current_ancestor_cgroup_id(-1));
  return BPF_OK;
}
char _license[] SEC("license") = "GPL";
`;

/** XDP: the cgroup kfuncs on the cgroup id at packet bytes 14..21, ancestor level at byte 22. */
export const CGROUP_KFUNCS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
${KERNEL_STRUCTS}
extern struct cgroup *bpf_cgroup_from_id(__u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern struct cgroup *bpf_cgroup_ancestor(struct cgroup *cgrp, int level) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;
extern long bpf_task_under_cgroup(struct task_struct *task, struct cgroup *ancestor) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
#define NONE 0xdeadULL

SEC("xdp") int cg_kfuncs(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 23 > e) return XDP_ABORTED;
  __u64 id;
  __builtin_memcpy(&id, d + 14, 8);
  int level = (__s8)d[22];
  struct cgroup *cg = bpf_cgroup_from_id(id);
  if (!cg) { put(0, NONE); return XDP_DROP; }
  put(0, cg->kn->id);
  put(1, cg->level);
  struct cgroup *a = bpf_cgroup_ancestor(cg, level);
  if (a) {
    put(2, a->kn->id);
    put(3, a->level);
    put(4, bpf_task_under_cgroup(bpf_get_current_task_btf(), a));
    bpf_cgroup_release(a);
  } else {
    put(2, NONE);
  }
  struct cgroup *b = bpf_cgroup_acquire(cg);
  if (b) { put(5, b->kn->id); bpf_cgroup_release(b); }
  put(6, bpf_task_under_cgroup(bpf_get_current_task_btf(), cg));
  bpf_cgroup_release(cg);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
