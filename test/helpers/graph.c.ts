// C programs for the local-object kfunc comparison (test/helpers/graph-kernel.test.ts):
// lists in global data and map values, rbtrees with a counting less(), a refcounted
// object in a list and a tree, bpf_throw with the default and a named exception callback.
// The bpf_experimental.h-style declarations are written here (no vmlinux.h).

export const GRAPH_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#define __contains(name, node) __attribute__((btf_decl_tag("contains:" #name ":" #node)))
#define private(name) SEC(".data." #name) __attribute__((aligned(8)))
#include <stdbool.h>
struct bpf_list_head { __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 :64; __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_rb_root { __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 :64; __u64 :64; __u64 :64; __u64 :64; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 :32; } __attribute__((aligned(4)));
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_percpu_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node, void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node, _Bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node *node) __ksym;
#define bpf_core_type_id_local(type) __builtin_btf_type_id(*(typeof(type) *)0, 0)
#define bpf_obj_new(type) ((type *)bpf_obj_new_impl(bpf_core_type_id_local(type), NULL))
#define bpf_obj_drop(kptr) bpf_obj_drop_impl(kptr, NULL)
#define bpf_refcount_acquire(kptr) bpf_refcount_acquire_impl(kptr, NULL)
#define bpf_list_push_front(head, node) bpf_list_push_front_impl(head, node, NULL, 0)
#define bpf_list_push_back(head, node) bpf_list_push_back_impl(head, node, NULL, 0)
#define bpf_rbtree_add(head, node, less) bpf_rbtree_add_impl(head, node, less, NULL, 0)
extern void bpf_throw(__u64 cookie) __ksym;
struct item { __u64 v; struct bpf_list_node node; };
struct tnode { __u64 key; __u64 pad; struct bpf_rb_node rb; };
struct ref { __u64 v; struct bpf_refcount rc; struct bpf_list_node l; struct bpf_rb_node r; };
private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head ghead __contains(item, node);
private(A) struct bpf_rb_root groot __contains(tnode, rb);
private(B) struct bpf_spin_lock rlock;
private(B) struct bpf_list_head rhead __contains(ref, l);
private(B) struct bpf_rb_root rroot __contains(ref, r);
struct mv { struct bpf_spin_lock lock; struct bpf_list_head head __contains(item, node); };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct mv); } heads SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
__u64 less_calls;
static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  struct tnode *x = container_of(a, struct tnode, rb), *y = container_of(b, struct tnode, rb);
  less_calls++;
  return x->key < y->key;
}
static bool rless(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct ref, r)->v < container_of(b, struct ref, r)->v;
}
/* d[14]: value, d[15]: 1 push front, d[16]: 1 pop front, 2 pop back. */
SEC("xdp") int lists(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  struct item *it = bpf_obj_new(struct item);
  if (!it) return XDP_ABORTED;
  /* Fresh objects are not zeroed by the kernel (bpf_mem_alloc reuses freed ones): write first. */
  it->v = d[14];
  bpf_spin_lock(&glock);
  if (d[15]) bpf_list_push_front(&ghead, &it->node); else bpf_list_push_back(&ghead, &it->node);
  bpf_spin_unlock(&glock);
  if (d[16]) {
    bpf_spin_lock(&glock);
    struct bpf_list_node *n = d[16] == 1 ? bpf_list_pop_front(&ghead) : bpf_list_pop_back(&ghead);
    bpf_spin_unlock(&glock);
    if (!n) { put(1, 999); return XDP_DROP; }
    struct item *x = container_of(n, struct item, node);
    put(1, x->v);
    bpf_obj_drop(x);
  }
  return XDP_PASS;
}
/* A list in a map value: push d[14] to heads[d[15] & 1], pop the front of the other one. */
SEC("xdp") int value_lists(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  __u32 k = d[15] & 1, o = k ^ 1;
  struct mv *a = bpf_map_lookup_elem(&heads, &k), *b = bpf_map_lookup_elem(&heads, &o);
  if (!a || !b) return XDP_ABORTED;
  struct item *it = bpf_obj_new(struct item);
  if (!it) return XDP_ABORTED;
  it->v = d[14];
  bpf_spin_lock(&a->lock);
  bpf_list_push_back(&a->head, &it->node);
  bpf_spin_unlock(&a->lock);
  bpf_spin_lock(&b->lock);
  struct bpf_list_node *n = bpf_list_pop_front(&b->head);
  bpf_spin_unlock(&b->lock);
  if (!n) { put(2, 1000); return XDP_PASS; }
  struct item *x = container_of(n, struct item, node);
  put(2, x->v);
  bpf_obj_drop(x);
  return XDP_TX;
}
/* d[14]: key to add; d[15]: remove the first after adding. out[15] counts less() calls. */
SEC("xdp") int tree(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  struct tnode *t = bpf_obj_new(struct tnode);
  if (!t) return XDP_ABORTED;
  t->key = d[14];
  bpf_spin_lock(&glock);
  bpf_rbtree_add(&groot, &t->rb, less);
  bpf_spin_unlock(&glock);
  for (int i = 0; i < 3 && i < d[15]; i++) {
    bpf_spin_lock(&glock);
    struct bpf_rb_node *n = bpf_rbtree_first(&groot);
    if (!n) { bpf_spin_unlock(&glock); return XDP_DROP; }
    n = bpf_rbtree_remove(&groot, n);
    bpf_spin_unlock(&glock);
    if (!n) return XDP_DROP;
    struct tnode *x = container_of(n, struct tnode, rb);
    put(3 + i, x->key);
    bpf_obj_drop(x);
  }
  put(15, less_calls);
  return XDP_PASS;
}
/* A refcounted object in a list and a tree at once; pushing its node twice is -EINVAL. */
SEC("xdp") int refs(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  struct ref *n = bpf_obj_new(struct ref);
  if (!n) return XDP_ABORTED;
  n->v = d[14];
  struct ref *m = bpf_refcount_acquire(n);
  struct ref *m2 = bpf_refcount_acquire(n);
  bpf_spin_lock(&rlock);
  long r6 = bpf_rbtree_add(&rroot, &n->r, rless);
  long r7 = bpf_list_push_back(&rhead, &m->l);
  long r8 = bpf_list_push_front(&rhead, &m2->l);
  bpf_spin_unlock(&rlock);
  put(6, r6); put(7, r7); put(8, r8);
  if (d[15]) {
    bpf_spin_lock(&rlock);
    struct bpf_list_node *l = bpf_list_pop_front(&rhead);
    if (!l) { bpf_spin_unlock(&rlock); return XDP_DROP; }
    struct ref *x = container_of(l, struct ref, l);
    /* x is owning now; take it out of the tree too through a second reference. */
    struct bpf_rb_node *r = bpf_rbtree_remove(&rroot, &x->r);
    bpf_spin_unlock(&rlock);
    put(9, x->v);
    put(10, r ? container_of(r, struct ref, r)->v : 777);
    if (r) bpf_obj_drop(container_of(r, struct ref, r));
    bpf_obj_drop(x);
  }
  return XDP_PASS;
}
__attribute__((noinline)) static int deep(__u8 x) { if (x > 100) bpf_throw(x + 0x100000000ull); return x; }
SEC("xdp") int throw_default(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  put(11, d[15]);
  if (d[14] == 1) bpf_throw(3);
  if (d[14] == 2) bpf_throw(0x1234567800000001ull);
  put(12, deep(d[15]));
  return XDP_PASS;
}
#define __exception_cb(name) __attribute__((btf_decl_tag("exception_callback:" #name)))
const volatile int never = 0;
__attribute__((noinline)) int on_throw(__u64 cookie) { put(13, cookie); return cookie == 7 ? 1 : 2; }
SEC("xdp") __exception_cb(on_throw) int throw_cb(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 20 > e) return XDP_ABORTED;
  put(14, d[14]);
  /* libbpf 1.1 (bpftool 7.1) only keeps subprograms the code references. */
  if (never) bpf_loop(1, (void *)on_throw, 0, 0);
  if (d[14]) bpf_throw(d[14]);
  return XDP_PASS;
}
/* A per-CPU object stored in a map's percpu_kptr slot; the one it replaces is dropped. */
struct pval { __u64 a, b; };
struct pholder { struct pval __attribute__((btf_type_tag("percpu_kptr"))) *pc; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct pholder); } holders SEC(".maps");
SEC("xdp") int percpu(struct xdp_md *ctx) {
  __u32 k = 0;
  struct pholder *h = bpf_map_lookup_elem(&holders, &k);
  if (!h) return XDP_ABORTED;
  struct pval *p = bpf_percpu_obj_new_impl(bpf_core_type_id_local(struct pval), 0);
  if (!p) return XDP_ABORTED;
  p = bpf_kptr_xchg(&h->pc, p);
  if (!p) { put(0, 2); return XDP_TX; }
  put(0, 1);
  bpf_percpu_obj_drop_impl(p, 0);
  return XDP_PASS;
}
/* bpf_this_cpu_ptr/bpf_per_cpu_ptr on a per-CPU object kept in a map's percpu_kptr slot:
   d[14] is added to this CPU's copy, d[15] is a cpu for bpf_per_cpu_ptr (out of range: NULL).
   out[0..4] do not depend on the CPU test_run runs on; out[5..8] do (the test pins it). */
struct pcount { __u64 hits, sum; };
struct pcholder { struct pcount __attribute__((btf_type_tag("percpu_kptr"))) *pc; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct pcholder); } pcholders SEC(".maps");
/* Frees a per-CPU pcount with junk in every CPU's copy (slot 1 of pcholders), as another
   program sharing the kernel may: the allocator hands that memory to the next
   bpf_percpu_obj_new unzeroed, so percpu_ptr (run next) zeroes what it allocates. */
SEC("xdp") int percpu_dirty(struct xdp_md *ctx) {
  __u32 k = 1;
  struct pcholder *h = bpf_map_lookup_elem(&pcholders, &k);
  if (!h) return XDP_ABORTED;
  struct pcount *n = bpf_percpu_obj_new_impl(bpf_core_type_id_local(struct pcount), 0);
  if (!n) return XDP_ABORTED;
  n = bpf_kptr_xchg(&h->pc, n);
  if (n) bpf_percpu_obj_drop_impl(n, 0);
  struct pcount *p = h->pc;
  for (__u32 i = 0; p && i < 64; i++) {
    struct pcount *c = bpf_per_cpu_ptr(p, i);
    if (!c) break;
    c->hits = 1000 + i;
    c->sum = 2000 + i;
  }
  n = bpf_kptr_xchg(&h->pc, 0);
  if (n) bpf_percpu_obj_drop_impl(n, 0);
  put(9, 1);
  return XDP_PASS;
}
SEC("xdp") int percpu_ptr(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data;
  if ((void *)(d + 16) > (void *)(long)ctx->data_end) return XDP_ABORTED;
  __u32 k = 0;
  struct pcholder *h = bpf_map_lookup_elem(&pcholders, &k);
  if (!h) return XDP_ABORTED;
  if (!h->pc) {
    struct pcount *n = bpf_percpu_obj_new_impl(bpf_core_type_id_local(struct pcount), 0);
    if (!n) return XDP_ABORTED;
    n = bpf_kptr_xchg(&h->pc, n);
    if (n) bpf_percpu_obj_drop_impl(n, 0);
    /* The per-CPU allocator hands back freed memory as it was (a previous run's counts):
       zero every CPU's copy, as a careful program does. */
    struct pcount *fresh = h->pc;
    for (__u32 i = 0; fresh && i < 64; i++) {
      struct pcount *c = bpf_per_cpu_ptr(fresh, i);
      if (!c) break;
      c->hits = 0;
      c->sum = 0;
    }
  }
  struct pcount *pc = h->pc;
  if (!pc) return XDP_ABORTED;
  struct pcount *mine = bpf_this_cpu_ptr(pc);
  mine->hits++;
  mine->sum += d[14];
  struct pcount *c0 = bpf_per_cpu_ptr(pc, 0), *c1 = bpf_per_cpu_ptr(pc, 1);
  struct pcount *cx = bpf_per_cpu_ptr(pc, d[15]);
  struct pcount *cur = bpf_per_cpu_ptr(pc, bpf_get_smp_processor_id());
  if (!c0 || !c1) return XDP_DROP;
  put(0, c0->hits + c1->hits);
  put(1, c0->sum + c1->sum);
  put(2, !cx ? 1 : cx == c0 ? 2 : cx == c1 ? 3 : 4); /* the queried CPU's copy, or NULL */
  put(3, cur == mine ? 7 : 8);
  put(4, c0 != c1 ? 9 : 10);
  put(5, bpf_get_smp_processor_id());
  put(6, c0->sum);
  put(7, c1->sum);
  put(8, cx ? cx->hits : 999);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
