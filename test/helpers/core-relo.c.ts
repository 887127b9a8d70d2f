// C program for the CO-RE differential test (test/helpers/core-relo-kernel.test.ts):
// every relocation kind clang emits (type ids, existence, sizes, field
// offsets/sizes/signedness/shifts, enumerators, type matches), against
// kernel types through local declarations with ___flavor names, missing
// types and fields, members inside the kernel's anonymous unions, and
// context loads whose local layout differs from the kernel's (offsets and a
// load size patched). bpftool/libbpf resolve them against
// /sys/kernel/btf/vmlinux; the runtime must get the same values.

export const CORE_RELO_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 40); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

typedef unsigned int u32;
struct task_struct { int pid; int tgid; char comm[16]; } __attribute__((preserve_access_index));
struct task_struct___old { int pid; long no_such_field; } __attribute__((preserve_access_index));
struct sk_buff {
  unsigned int len;
  __u8 pkt_type:3;
  __u16 protocol;
  __u64 tstamp;
  char cb[48];
} __attribute__((preserve_access_index));
struct no_such_type___x { int a; };
struct xdp_md___swapped { __u32 data_end; __u32 data; } __attribute__((preserve_access_index));
struct xdp_md___wide { __u32 data; __u32 data_end; __u32 data_meta; __u64 ingress_ifindex; } __attribute__((preserve_access_index));
struct xdp_md___m { __u32 data; __u32 data_end; };
struct xdp_md___mismatch { __u64 data; };
enum bpf_func_id___x { BPF_FUNC_ringbuf_output___x = 7, BPF_FUNC_no_such_helper___x = 8 };
enum xdp_action___y { XDP_PASS___y = 1, XDP_REDIRECT___y = 9 };

SEC("xdp") int core(struct xdp_md *ctx) {
  put(0, bpf_core_type_id_kernel(struct task_struct));
  put(1, bpf_core_type_id_kernel(struct sk_buff));
  put(2, bpf_core_type_id_kernel(int));
  put(3, bpf_core_type_id_kernel(u32));
  put(4, bpf_core_type_id_kernel(struct no_such_type___x));
  put(5, bpf_core_type_exists(struct task_struct___old));
  put(6, bpf_core_type_exists(struct no_such_type___x));
  put(7, bpf_core_type_size(struct sk_buff));
  put(8, bpf_core_type_size(struct task_struct));
  put(9, bpf_core_type_size(struct no_such_type___x));
  struct task_struct *t = 0;
  put(10, bpf_core_field_offset(t->pid));
  put(11, bpf_core_field_offset(t->comm));
  put(12, bpf_core_field_size(t->comm));
  put(13, bpf_core_field_exists(((struct task_struct___old *)0)->no_such_field));
  put(14, bpf_core_field_exists(((struct task_struct___old *)0)->pid));
  struct sk_buff *s = 0;
  put(15, bpf_core_field_offset(s->len));
  put(16, bpf_core_field_offset(s->tstamp)); /* inside an anonymous union of the kernel's */
  put(17, bpf_core_field_offset(s->protocol));
  put(18, __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_BYTE_OFFSET));
  put(19, __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_BYTE_SIZE));
  put(20, __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_LSHIFT_U64));
  put(21, __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_RSHIFT_U64));
  put(22, __builtin_preserve_field_info(s->pkt_type, BPF_FIELD_SIGNED));
  put(23, __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED));
  put(24, bpf_core_field_offset(s->cb[5]));
  put(25, bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_ringbuf_output___x));
  put(26, bpf_core_enum_value_exists(enum bpf_func_id___x, BPF_FUNC_no_such_helper___x));
  put(27, bpf_core_enum_value(enum bpf_func_id___x, BPF_FUNC_ringbuf_output___x));
  put(28, bpf_core_enum_value(enum xdp_action___y, XDP_REDIRECT___y));
  put(29, bpf_core_type_matches(struct xdp_md___m));
  put(30, bpf_core_type_matches(struct xdp_md___mismatch));
  put(31, bpf_core_type_id_local(struct task_struct));
  /* Context loads through layouts that differ from the kernel's: patched offsets and size. */
  struct xdp_md___swapped *sw = (void *)ctx;
  put(32, sw->data_end - sw->data);
  struct xdp_md___wide *w = (void *)ctx;
  put(33, w->ingress_ifindex);
  if (bpf_core_field_exists(((struct task_struct___old *)0)->no_such_field))
    put(34, bpf_core_field_offset(((struct task_struct___old *)0)->no_such_field));
  else
    put(34, 1234);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
