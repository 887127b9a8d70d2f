// C program for the XDP dynptr-over-frags differential test
// (test/helpers/dynptr-frags-kernel.test.ts): an xdp.frags program reads,
// writes, slices (with and without a buffer), copies and memsets through
// bpf_dynptr_from_xdp at offsets the packet picks, so one program covers
// ranges in the linear part, in one frag, across pieces and past 0xffff.

export const DYNPTR_FRAGS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u32 offset, void *buffer__opt, __u32 buffer__szk) __ksym;
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u32 start, __u32 end) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p, struct bpf_dynptr *clone__uninit) __ksym;
extern int bpf_dynptr_copy(struct bpf_dynptr *dst_ptr, __u32 dst_off, struct bpf_dynptr *src_ptr, __u32 src_off, __u32 size) __ksym;
extern int bpf_dynptr_memset(struct bpf_dynptr *p, __u32 offset, __u32 size, __u8 val) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 32); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
static __always_inline __u32 be32(__u8 *p) { return p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static __always_inline __u64 le64(__u8 *p) { __u64 v; __builtin_memcpy(&v, p, 8); return v; }
/* What a slice call gave: 0 NULL, 1 the buffer, 2 a pointer of its own. */
#define KIND(s, b) (!(s) ? 0 : (void *)(s) == (void *)(b) ? 1 : 2)

/* Big-endian u32 parameters from byte 14: read offset, write offset, slice offset,
   copy destination, copy source, copy length, memset offset, memset length. */
SEC("xdp.frags") int dynptr_frags(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 46 > e) return XDP_ABORTED;
  __u32 ro = be32(d + 14), wo = be32(d + 18), so = be32(d + 22), cd = be32(d + 26);
  __u32 cs = be32(d + 30), cl = be32(d + 34), mo = be32(d + 38), ml = be32(d + 42);
  struct bpf_dynptr p, q, n;
  __u8 buf[24] = {}, sb[16] = {};
  put(0, bpf_dynptr_from_xdp(ctx, 0, &p));
  put(1, bpf_dynptr_size(&p));
  put(2, bpf_dynptr_read(buf, 24, &p, ro, 0));
  put(3, le64(buf));
  put(4, le64(buf + 16));
  for (int i = 0; i < 24; i++) buf[i] ^= 0x5a;
  put(5, bpf_dynptr_write(&p, wo, buf, 24, 0));
  __u8 *s = bpf_dynptr_slice(&p, so, sb, 16);
  put(6, KIND(s, sb));
  put(7, s ? le64(s) : 0xdead);
  s = bpf_dynptr_slice(&p, so, 0, 16);
  put(8, KIND(s, 0));
  /* Through a direct pointer the packet changes; through the buffer it does not. */
  s = bpf_dynptr_slice_rdwr(&p, so + 100, sb, 16);
  put(9, KIND(s, sb));
  if (s) { s[0] = 0xee; s[15] = 0xef; }
  put(10, bpf_dynptr_copy(&p, cd, &p, cs, cl));
  put(11, bpf_dynptr_memset(&p, mo, ml, 0x77));
  put(12, bpf_dynptr_clone(&p, &q));
  put(13, bpf_dynptr_adjust(&q, ro, bpf_dynptr_size(&q)));
  put(14, bpf_dynptr_read(buf, 8, &q, 0, 0));
  put(15, le64(buf));
  put(16, bpf_dynptr_read(buf, 8, &p, 0x10000, 0));
  put(17, bpf_dynptr_write(&p, 0xfffc, buf, 8, 0));
  s = bpf_dynptr_slice(&p, 0x10010, sb, 16);
  put(18, KIND(s, sb));
  put(19, s ? le64(s + 8) : 0xdead);
  s = bpf_dynptr_slice(&p, 0xfff8, sb, 16);
  put(20, KIND(s, sb));
  /* A NULL dynptr (bad flags) under every call. */
  put(21, bpf_dynptr_from_xdp(ctx, 1, &n));
  put(22, bpf_dynptr_memset(&n, 0, 4, 1));
  put(23, bpf_dynptr_copy(&n, 0, &p, 0, 4));
  put(24, bpf_dynptr_copy(&p, 0, &n, 0, 4));
  put(25, bpf_dynptr_read(buf, 4, &n, 0, 0));
  put(26, bpf_dynptr_memset(&n, 0, 0, 1));
  put(27, bpf_dynptr_write(&p, wo, buf, 4, 1));
  put(28, bpf_dynptr_memset(&p, mo, 0, 0x55));
  put(29, bpf_dynptr_slice(&n, 0, sb, 16) ? 1 : 0);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
