// C program for the per-CPU map and user-space view tests of special fields
// (test/helpers/map-fields-user-kernel.test.ts): a per-CPU array and a per-CPU
// hash whose values hold a tag and a kptr to a local object. One program takes
// an operation from the packet (set or take the kptr, update with a junk-filled
// value, delete), so a packet sequence shows what the kernel does to the kptr
// when a per-CPU value is overwritten or deleted; user space dumps the maps.

export const MAP_FIELDS_PERCPU_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define __kptr __attribute__((btf_type_tag("kptr")))
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, 0)
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)

struct item { __u64 v; };
struct val { __u64 tag; struct item __kptr *kp; __u64 tail; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct val); } parr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } phash SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

static __always_inline struct val *value(__u32 which, __u32 k) {
  struct val *v = which ? bpf_map_lookup_elem(&phash, &k) : bpf_map_lookup_elem(&parr, &k);
  if (v || !which) return v;
  struct val z = {};
  bpf_map_update_elem(&phash, &k, &z, BPF_NOEXIST);
  return bpf_map_lookup_elem(&phash, &k);
}

/* d[14] op (3 set kptr, 4 take kptr, 5 junk update, 6 delete, 7 tag), d[15] key, d[16] map (0 array, 1 hash), d[17] a value. */
SEC("xdp") int pfields(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data;
  if ((void *)(d + 18) > (void *)(long)ctx->data_end) return XDP_ABORTED;
  __u32 op = d[14], k = d[15] & 1, which = d[16] & 1;
  __u64 x = d[17];
  if (op == 5) {
    struct val junk;
    __builtin_memset(&junk, 0x5a, sizeof(junk));
    junk.tag = x;
    put(0, which ? bpf_map_update_elem(&phash, &k, &junk, BPF_ANY) : bpf_map_update_elem(&parr, &k, &junk, BPF_ANY));
    return XDP_PASS;
  }
  if (op == 6) { put(0, bpf_map_delete_elem(&phash, &k)); return XDP_PASS; }
  struct val *v = value(which, k);
  if (!v) { put(0, 777); return XDP_PASS; }
  if (op == 3 || op == 4) {
    struct item *n = 0;
    if (op == 3) {
      n = bpf_obj_new(struct item);
      if (!n) return XDP_ABORTED;
      n->v = x;
    }
    n = bpf_kptr_xchg(&v->kp, n);
    put(0, n ? n->v : 999);
    if (n) bpf_obj_drop(n);
  } else if (op == 7) {
    put(0, v->tag);
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
