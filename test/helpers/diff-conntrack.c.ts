// C programs for the conntrack and probe-read-dynptr differential test
// (test/helpers/conntrack-kernel.test.ts). Own declarations, kfuncs as
// __ksym externs; struct nf_conn is declared with its fields at the
// reference kernel's offsets (no CO-RE: the runtime does not relocate).

export const CONNTRACK_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_ct_opts { __s32 netns_id; __s32 error; __u8 l4proto; __u8 dir; __u16 ct_zone_id; __u8 ct_zone_dir; __u8 reserved[3]; };
struct nf_conn { __u32 use; __u32 lock; __u32 timeout; __u16 zone_id; __u8 zone_flags; __u8 zone_dir;
  __u8 tuplehash[2][56]; unsigned long status; __u8 pad[32]; __u32 mark; };
struct nf_conn___init { struct nf_conn ct; };
union nf_inet_addr { __u32 ip; __u32 ip6[4]; };
enum nf_nat_manip_type { NF_NAT_MANIP_SRC, NF_NAT_MANIP_DST };
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern struct nf_conn___init *bpf_xdp_ct_alloc(struct xdp_md *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern struct nf_conn *bpf_ct_insert_entry(struct nf_conn___init *) __ksym;
extern void bpf_ct_release(struct nf_conn *) __ksym;
extern void bpf_ct_set_timeout(struct nf_conn___init *, __u32) __ksym;
extern int bpf_ct_change_timeout(struct nf_conn *, __u32) __ksym;
extern int bpf_ct_set_status(const struct nf_conn___init *, __u32) __ksym;
extern int bpf_ct_change_status(struct nf_conn *, __u32) __ksym;
extern int bpf_ct_set_nat_info(struct nf_conn___init *, union nf_inet_addr *, int, enum nf_nat_manip_type) __ksym;

#define SEEN_REPLY 0x2
#define ASSURED 0x4
#define CONFIRMED 0x8
#define SEQ_ADJUST 0x40
#define DYING 0x200

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 40); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

/* A lookup's outcome: 1000 + the direction found, or opts.error. */
#define LOOKUP(slot, tup, sz, osz) do { \
  struct nf_conn *c = bpf_xdp_ct_lookup(ctx, tup, sz, &o, osz); \
  put(slot, c ? 1000 + o.dir : (__u64)(__s64)o.error); if (c) bpf_ct_release(c); } while (0)

/* An allocation can only end by insertion (bpf_ct_release refuses nf_conn___init). */
#define DROP_INIT(n) do { if (n) { struct nf_conn *x = bpf_ct_insert_entry(n); if (x) bpf_ct_release(x); } } while (0)

/* Packet bytes 14..25: the IPv4 tuple (saddr, daddr, sport, dport); byte 26: bit 0 DNAT, bit 1 with a port, bit 2 SNAT. */
SEC("xdp") int ct(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 30 > e) return XDP_ABORTED;
  struct bpf_sock_tuple t = {};
  __builtin_memcpy(&t.ipv4, d + 14, 12);
  __u8 mode = d[26];
  struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6 };
  LOOKUP(0, &t, sizeof(t.ipv4), 8);
  o.netns_id = -2; o.error = 0; LOOKUP(1, &t, sizeof(t.ipv4), 16);
  o.netns_id = -1; o.l4proto = 1; LOOKUP(2, &t, sizeof(t.ipv4), 16);
  o.l4proto = 6; LOOKUP(3, &t, 10, 16);
  LOOKUP(4, &t, sizeof(t.ipv4), 16);
  o.reserved[1] = 1; LOOKUP(5, &t, sizeof(t.ipv4), 16); o.reserved[1] = 0;
  o.netns_id = 77; LOOKUP(6, &t, sizeof(t.ipv4), 16); o.netns_id = -1;
  o.ct_zone_id = 3; LOOKUP(7, &t, sizeof(t.ipv4), 12); o.ct_zone_id = 0;
  o.error = 0; LOOKUP(8, &t, sizeof(t.ipv4), 12);
  put(9, o.ct_zone_dir);
  o.error = 0; o.l4proto = 1;
  struct nf_conn___init *n = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, 16);
  put(34, n ? 1 : (__u64)(__s64)o.error);
  DROP_INIT(n);
  o.l4proto = 6; o.netns_id = -3;
  n = bpf_xdp_ct_alloc(ctx, &t, 36, &o, 16);
  put(35, n ? 1 : (__u64)(__s64)o.error);
  DROP_INIT(n);
  o.netns_id = -1; o.error = 0;
  n = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, 16);
  put(10, n ? 1 : (__u64)(__s64)o.error);
  if (!n) return XDP_PASS;
  put(11, o.ct_zone_dir);
  bpf_ct_set_timeout(n, 10000);
  put(12, bpf_ct_set_status(n, ASSURED | CONFIRMED));
  put(13, bpf_ct_set_status(n, ASSURED | SEQ_ADJUST));
  union nf_inet_addr a = { .ip = 0x0a0a0a0a };
  if (mode & 1) {
    put(14, bpf_ct_set_nat_info(n, &a, mode & 2 ? 4242 : 0, NF_NAT_MANIP_DST));
    put(15, bpf_ct_set_nat_info(n, &a, 0, NF_NAT_MANIP_DST));
  }
  if (mode & 4) put(36, bpf_ct_set_nat_info(n, &a, 0, NF_NAT_MANIP_SRC));
  struct nf_conn *c = bpf_ct_insert_entry(n);
  put(16, c ? 1 : 0);
  if (!c) return XDP_PASS;
  put(17, c->status);
  put(18, c->mark);
  c->mark = 0x77;
  put(19, bpf_ct_change_status(c, 0));
  put(20, bpf_ct_change_status(c, (c->status & 0xffff) | SEEN_REPLY | SEQ_ADJUST));
  put(21, c->status);
  put(22, bpf_ct_change_timeout(c, 5000));
  put(23, c->zone_id | c->zone_dir << 16 | (__u64)c->use << 32);
  __u8 *tp = &c->tuplehash[1][16];
  put(24, *(__u32 *)tp); put(25, *(__u32 *)(tp + 20));
  put(26, *(__u16 *)(tp + 16) | (__u64)*(__u16 *)(tp + 18) << 16 | (__u64)*(__u16 *)(tp + 36) << 32);
  put(27, tp[38] | tp[39] << 8);
  tp = &c->tuplehash[0][16];
  put(28, *(__u32 *)tp | (__u64)*(__u32 *)(tp + 20) << 32);
  bpf_ct_release(c);
  o.error = 0; o.dir = 9; LOOKUP(29, &t, sizeof(t.ipv4), 16);
  struct bpf_sock_tuple r = {};
  r.ipv4.saddr = t.ipv4.daddr; r.ipv4.daddr = t.ipv4.saddr; r.ipv4.sport = t.ipv4.dport; r.ipv4.dport = t.ipv4.sport;
  {
    struct nf_conn *c2 = bpf_xdp_ct_lookup(ctx, &r, sizeof(r.ipv4), &o, 16);
    put(30, c2 ? 1000 + o.dir : (__u64)(__s64)o.error);
    if (c2) { put(31, c2->mark); put(32, c2->status); bpf_ct_release(c2); }
  }
  o.l4proto = 17; LOOKUP(33, &t, sizeof(t.ipv4), 16); o.l4proto = 6;
  o.ct_zone_id = 5; LOOKUP(37, &t, sizeof(t.ipv4), 16); o.ct_zone_id = 0;
  n = bpf_xdp_ct_alloc(ctx, &t, sizeof(t.ipv4), &o, 16);
  if (n) { c = bpf_ct_insert_entry(n); put(38, c ? 1 : 2); if (c) bpf_ct_release(c); }
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

/** lwt_xmit: the probe-read dynptr kfuncs into a map value's dynptr. */
export const PROBE_DYNPTR_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_probe_read_kernel_dynptr(struct bpf_dynptr *, __u32, __u32, const void *) __ksym;
extern int bpf_probe_read_kernel_str_dynptr(struct bpf_dynptr *, __u32, __u32, const void *) __ksym;
extern int bpf_probe_read_user_dynptr(struct bpf_dynptr *, __u32, __u32, const void *) __ksym;
extern int bpf_probe_read_user_str_dynptr(struct bpf_dynptr *, __u32, __u32, const void *) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
struct bv { char b[40]; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct bv); } bufm SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

SEC("lwt_xmit") int probe_dynptr(struct __sk_buff *skb) {
  char src[24] = "hello, dynptr";
  __u8 *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
  if (d + 4 > e) return BPF_DROP;
  __u32 off = d[0] & 63, len = d[1] & 31, z = 0;
  char *buf = bpf_map_lookup_elem(&bufm, &z);
  if (!buf) return BPF_DROP;
  struct bpf_dynptr p;
  bpf_dynptr_from_mem(buf, 40, 0, &p);
  put(0, bpf_probe_read_kernel_dynptr(&p, 0, 8, src));
  put(1, bpf_probe_read_kernel_str_dynptr(&p, 8, 16, src + 7));
  put(2, bpf_probe_read_user_dynptr(&p, 0, 8, src));
  put(3, bpf_probe_read_user_str_dynptr(&p, 0, 8, src));
  put(4, bpf_probe_read_kernel_dynptr(&p, off, len, src));
  put(5, bpf_probe_read_kernel_str_dynptr(&p, off, len, src));
  put(6, bpf_probe_read_kernel_dynptr(&p, 0, 8, (void *)16));
  put(7, bpf_probe_read_kernel_str_dynptr(&p, 24, 8, (void *)4096));
  put(8, bpf_probe_read_kernel_dynptr(&p, 0, 0, src));
  put(9, bpf_probe_read_kernel_str_dynptr(&p, 36, 6, src));
  put(10, bpf_probe_read_kernel_str_dynptr(&p, 30, 10, src + 4));
  put(11, bpf_probe_read_kernel_dynptr(&p, 0, 4, (void *)0xffff800000000000UL));
  __u64 v = 0x55;
  put(12, bpf_probe_read_kernel(&v, 8, (void *)16));
  put(13, v);
  put(14, bpf_probe_read_kernel(&v, 8, (void *)0xffff800000000000UL));
  put(15, v + 0x100);
  return BPF_OK;
}
char _license[] SEC("license") = "GPL";
`;

/** XDP: look the packet's tuple up (TCP, zone from byte 26) and report direction, mark, status. */
export const CT_LOOKUP_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct bpf_ct_opts { __s32 netns_id; __s32 error; __u8 l4proto; __u8 dir; __u16 ct_zone_id; __u8 ct_zone_dir; __u8 reserved[3]; };
struct nf_conn { __u32 use; __u32 lock; __u32 timeout; __u16 zone_id; __u8 zone_flags; __u8 zone_dir;
  __u8 tuplehash[2][56]; unsigned long status; __u8 pad[32]; __u32 mark; };
extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *, struct bpf_sock_tuple *, __u32, struct bpf_ct_opts *, __u32) __ksym;
extern void bpf_ct_release(struct nf_conn *) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
SEC("xdp") int ct_lookup(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 30 > e) return XDP_ABORTED;
  struct bpf_sock_tuple t = {};
  __builtin_memcpy(&t.ipv4, d + 14, 12);
  struct bpf_ct_opts o = { .netns_id = -1, .l4proto = 6, .ct_zone_id = d[26] };
  struct nf_conn *c = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &o, sizeof(o));
  if (!c) { put(0, (__u64)(__s64)o.error); return XDP_DROP; }
  put(0, o.dir); put(1, c->mark); put(2, c->status);
  c->mark = c->mark + 1;
  bpf_ct_release(c);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
