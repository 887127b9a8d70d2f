// C program for the map-value special field test (test/helpers/map-fields-kernel.test.ts):
// an array and a hash map whose values hold a spin lock, two bpf_list_heads and a
// kptr. One program takes an operation from the packet (push, pop, kptr set/take,
// update with a junk-filled value, delete, read the tag, a refcounted object in a
// value's list and a global list at once), so a packet sequence shows what the kernel
// does to those fields when a value is overwritten or deleted.

/** The programs' packet: [op, key, map, value] from byte 14, op one of these. */
export const OP = {
  PUSH: 1,
  POP: 2,
  KPTR_SET: 3,
  KPTR_TAKE: 4,
  UPDATE: 5,
  DELETE: 6,
  TAG: 7,
  REF_BOTH: 8,
  REF_AGAIN: 9,
  REF_POP: 10,
} as const;
/** The map byte: the array or the hash map. */
export const ARRAY = 0;
export const HASH = 1;

/** A 64-byte IPv4-typed frame carrying `body` ([op, key, map, value]) at byte 14. */
export function fieldsFrame(body: number[]): Uint8Array {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  f.set(body, 14);
  return f;
}

export const MAP_FIELDS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define private(name) SEC(".data." #name) __attribute__((aligned(8)))
struct bpf_list_head { __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 :64; __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 :32; } __attribute__((aligned(4)));
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, 0)
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)

struct item { __u64 v; struct bpf_list_node node; };
struct ref { __u64 v; struct bpf_refcount rc; struct bpf_list_node l1; struct bpf_list_node l2; };
struct val {
  __u64 tag;
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(item, node);
  struct bpf_list_head rhead __contains(ref, l1);
  struct item __kptr *kp;
};
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct val); } arr SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, struct val); } hv SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
private(G) struct bpf_spin_lock glock;
private(G) struct bpf_list_head glist __contains(ref, l2);

static __always_inline struct val *value(__u32 which, __u32 k) {
  struct val *v = which ? bpf_map_lookup_elem(&hv, &k) : bpf_map_lookup_elem(&arr, &k);
  if (v || !which) return v;
  struct val z = {};
  bpf_map_update_elem(&hv, &k, &z, BPF_NOEXIST);
  return bpf_map_lookup_elem(&hv, &k);
}

/* d[14] op, d[15] key, d[16] map (0 array, 1 hash), d[17] a value. out[0] what the op saw. */
SEC("xdp") int fields(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data;
  if ((void *)(d + 18) > (void *)(long)ctx->data_end) return XDP_ABORTED;
  __u32 op = d[14], k = d[15] & 3, which = d[16] & 1;
  __u64 x = d[17];
  if (op == 5) { /* update with a value whose every byte is junk but the tag */
    struct val junk;
    __builtin_memset(&junk, 0x5a, sizeof(junk));
    junk.tag = x;
    put(0, which ? bpf_map_update_elem(&hv, &k, &junk, BPF_ANY) : bpf_map_update_elem(&arr, &k, &junk, BPF_ANY));
    return XDP_PASS;
  }
  if (op == 6) { put(0, bpf_map_delete_elem(&hv, &k)); return XDP_PASS; }
  struct val *v = value(which, k);
  if (!v) { put(0, 777); return XDP_PASS; }
  if (op == 1) { /* push an item */
    struct item *n = bpf_obj_new(struct item);
    if (!n) return XDP_ABORTED;
    n->v = x;
    bpf_spin_lock(&v->lock);
    int e = bpf_list_push_back(&v->head, &n->node);
    bpf_spin_unlock(&v->lock);
    put(0, e);
  } else if (op == 2) { /* pop an item */
    bpf_spin_lock(&v->lock);
    struct bpf_list_node *ln = bpf_list_pop_front(&v->head);
    bpf_spin_unlock(&v->lock);
    if (!ln) { put(0, 999); return XDP_PASS; }
    struct item *n = container_of(ln, struct item, node);
    put(0, n->v);
    bpf_obj_drop(n);
  } else if (op == 3 || op == 4) { /* set or take the kptr */
    struct item *n = 0;
    if (op == 3) {
      n = bpf_obj_new(struct item);
      if (!n) return XDP_ABORTED;
      n->v = x;
    }
    n = bpf_kptr_xchg(&v->kp, n);
    put(0, n ? n->v : 999);
    if (n) bpf_obj_drop(n);
  } else if (op == 7) { /* the tag, as the last update left it */
    put(0, v->tag);
  } else if (op == 8) { /* a refcounted object in this value's rhead and in glist */
    struct ref *r = bpf_obj_new(struct ref);
    if (!r) return XDP_ABORTED;
    r->v = x;
    struct ref *r2 = bpf_refcount_acquire(r);
    bpf_spin_lock(&v->lock);
    int a = bpf_list_push_back(&v->rhead, &r->l1);
    bpf_spin_unlock(&v->lock);
    bpf_spin_lock(&glock);
    int b = bpf_list_push_back(&glist, &r2->l2);
    bpf_spin_unlock(&glock);
    put(0, a * 10 + b);
  } else if (op == 9) { /* take it off glist and push it into this value's rhead again */
    bpf_spin_lock(&glock);
    struct bpf_list_node *ln = bpf_list_pop_front(&glist);
    bpf_spin_unlock(&glock);
    if (!ln) { put(0, 999); return XDP_PASS; }
    struct ref *r = container_of(ln, struct ref, l2);
    put(1, r->v);
    bpf_spin_lock(&v->lock);
    int e = bpf_list_push_back(&v->rhead, &r->l1);
    bpf_spin_unlock(&v->lock);
    put(0, e);
  } else if (op == 10) { /* pop this value's rhead */
    bpf_spin_lock(&v->lock);
    struct bpf_list_node *ln = bpf_list_pop_front(&v->rhead);
    bpf_spin_unlock(&v->lock);
    if (!ln) { put(0, 999); return XDP_PASS; }
    struct ref *r = container_of(ln, struct ref, l1);
    put(0, r->v);
    bpf_obj_drop(r);
  }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
