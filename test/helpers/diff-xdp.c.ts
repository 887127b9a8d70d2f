// C programs for the XDP differential test (test/helpers/xdp-kernel.test.ts).
// Each program stores what its helpers returned in `out` (u64 slots) and
// returns an action; the packet's bytes pick the paths, so several packets
// cover successes and failures.

export const XDP_HELPERS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
struct str_val { char s[96]; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, struct str_val); } strs SEC(".maps");

static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

SEC("xdp") int csum_diff(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  __be32 a[2], b[2];
  if (d + 30 > e) return XDP_ABORTED;
  __builtin_memcpy(a, d + 14, 8);
  __builtin_memcpy(b, d + 22, 8);
  put(0, bpf_csum_diff(a, 4, b, 4, 0));
  put(1, bpf_csum_diff(0, 0, b, 8, 0x1234));
  put(2, bpf_csum_diff(a, 8, 0, 0, 0xabcd));
  put(3, bpf_csum_diff(a, 8, b, 8, 0xffffffff));
  put(4, bpf_csum_diff(a, 4, a, 4, 0));
  put(5, bpf_csum_diff(0, 0, 0, 0, 0x55));
  put(6, bpf_csum_diff(a, 8, b, 4, d[14]));
  return XDP_PASS;
}

SEC("xdp") int adjust(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 18 > e) return XDP_ABORTED;
  int tail = (int)(signed char)d[14] * 4, meta = -(int)d[15], head = (int)(signed char)d[16];
  int mode = d[17];
  long r1 = bpf_xdp_adjust_tail(ctx, tail);
  put(0, r1);
  put(1, bpf_xdp_adjust_meta(ctx, meta));
  put(2, bpf_xdp_adjust_head(ctx, head));
  put(3, bpf_xdp_get_buff_len(ctx));
  put(4, ctx->data_end - ctx->data);
  put(5, ctx->data - ctx->data_meta);
  if (mode == 1) {
    __u8 *m = (void *)(long)ctx->data_meta, *dd = (void *)(long)ctx->data;
    if (m + 4 <= dd) { m[0] = 0xaa; m[3] = 0xbb; }
  }
  return XDP_PASS;
}

SEC("xdp") int load_store(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  __u8 buf[8] = {};
  if (d + 17 > e) return XDP_ABORTED;
  __u32 off = d[14], len = d[15] & 7;
  if (len == 0) len = 1;
  put(0, bpf_xdp_load_bytes(ctx, off, buf, len));
  __u64 v = 0; __builtin_memcpy(&v, buf, 8); put(1, v);
  put(2, bpf_xdp_store_bytes(ctx, d[16], buf, len));
  put(3, bpf_xdp_load_bytes(ctx, 0x10000, buf, 1));
  return XDP_TX;
}

static long loop_cb(__u32 i, void *c) { __u64 *s = c; *s += i * i; return *s > 1000; }
SEC("xdp") int loops(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  __u64 s = 0;
  if (d + 15 > e) return XDP_ABORTED;
  put(0, bpf_loop(d[14], loop_cb, &s, 0));
  put(1, s);
  put(2, bpf_loop(1, loop_cb, &s, 1));
  put(3, bpf_loop((1 << 23) + 1, loop_cb, &s, 0));
  return XDP_PASS;
}

SEC("xdp") int strs_fmt(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  char s[8] = {};
  if (d + 22 > e) return XDP_ABORTED;
  __builtin_memcpy(s, d + 14, 8);
  put(0, bpf_strncmp(s, 5, "hello"));
  put(1, bpf_strncmp(s, 8, "hello"));
  put(2, bpf_strncmp(s, 1, "a"));
  __u32 k = 0;
  struct str_val *v = bpf_map_lookup_elem(&strs, &k);
  if (!v) return XDP_ABORTED;
  __u32 ip = *(__u32 *)(d + 14);
  __u64 args[12] = { (__s32)-5, 42, 0xbeef, -1234567890123LL, (long)"str", (long)&ip, 7, 7, 7, 'Z', 0x1234abcd5678ULL, 3 };
  put(3, bpf_snprintf(v->s, sizeof(v->s), "%d %u %x %lld %s %pI4 [%5d|%-5d|%05d] %c %llx %+d", args, sizeof(args)));
  k = 1;
  v = bpf_map_lookup_elem(&strs, &k);
  if (!v) return XDP_ABORTED;
  put(4, bpf_snprintf(v->s, 8, "%u-%u", args, 16));
  put(5, bpf_snprintf(v->s, 0, "%d", args, 8));
  return XDP_PASS;
}

extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
struct bpf_iter_num { __u64 __opaque[1]; } __attribute__((aligned(8)));
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("xdp") int dynptrs(struct xdp_md *ctx) {
  struct bpf_dynptr p;
  __u8 buf[4] = {};
  put(0, bpf_dynptr_from_xdp(ctx, 0, &p));
  put(1, bpf_dynptr_size(&p));
  __u8 *s = bpf_dynptr_slice(&p, 14, buf, 4);
  put(2, s ? s[0] | (s[3] << 8) : 0xdead);
  __u8 *w = bpf_dynptr_slice_rdwr(&p, 0, 0, 2);
  if (w) { w[0] = 0x11; w[1] = 0x22; }
  put(3, bpf_dynptr_slice(&p, 4000, buf, 4) ? 1 : 0);
  char rb[4] = {};
  put(4, bpf_dynptr_read(rb, 4, &p, 14, 0));
  put(5, bpf_dynptr_read(rb, 4, &p, 5000, 0));
  put(6, bpf_dynptr_write(&p, 20, rb, 4, 0));
  put(7, bpf_dynptr_adjust(&p, 10, 5));
  put(8, bpf_dynptr_adjust(&p, 2, 20));
  put(9, bpf_dynptr_size(&p));
  struct bpf_dynptr q;
  put(10, bpf_dynptr_from_xdp(ctx, 1, &q));
  int sum = 0, *i;
  struct bpf_iter_num it;
  put(11, bpf_iter_num_new(&it, -3, 5));
  while ((i = bpf_iter_num_next(&it))) sum += *i;
  bpf_iter_num_destroy(&it);
  put(12, sum);
  struct bpf_iter_num it2;
  put(13, bpf_iter_num_new(&it2, 5, 3));
  put(14, bpf_iter_num_next(&it2) ? 1 : 0);
  bpf_iter_num_destroy(&it2);
  return XDP_PASS;
}

SEC("xdp") int redirects(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 16 > e) return XDP_ABORTED;
  return bpf_redirect(d[14], d[15]);
}

SEC("xdp") int mtu_fib(struct xdp_md *ctx) {
  __u32 mtu = 0;
  put(0, bpf_check_mtu(ctx, 0, &mtu, 0, 0));
  put(1, mtu);
  mtu = 1500;
  put(2, bpf_check_mtu(ctx, 0, &mtu, 70000, 0));
  put(3, mtu);
  mtu = 0;
  put(4, bpf_check_mtu(ctx, 4242, &mtu, 0, 0));
  put(5, bpf_check_mtu(ctx, 0, &mtu, 0, 1));
  struct bpf_fib_lookup f = {};
  f.family = 2; f.ifindex = 4242;
  put(6, bpf_fib_lookup(ctx, &f, sizeof(f), 0));
  f.family = 7;
  put(7, bpf_fib_lookup(ctx, &f, sizeof(f), 0));
  put(8, bpf_fib_lookup(ctx, &f, 60, 0));
  put(9, bpf_fib_lookup(ctx, &f, sizeof(f), 1 << 10));
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
`;
