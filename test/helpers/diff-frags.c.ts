// C program for the XDP multi-buffer differential test
// (test/helpers/xdp-frags-kernel.test.ts): the packet's first bytes after
// the Ethernet header pick the offsets and tail adjustments, so one program
// covers loads and stores across the linear part and the frags, growing
// the last frag, shrinking through frags into the linear part.

export const XDP_FRAGS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

/* bytes 14-15: first tail delta (s16, big-endian), 16-17: load offset, 18-19: store offset,
   20-21: second tail delta. */
SEC("xdp.frags") int frags(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  __u8 buf[24] = {};
  if (d + 22 > e) return XDP_ABORTED;
  int tail1 = (__s16)(d[14] << 8 | d[15]), tail2 = (__s16)(d[20] << 8 | d[21]);
  __u32 lo = d[16] << 8 | d[17], so = d[18] << 8 | d[19];
  put(0, bpf_xdp_get_buff_len(ctx));
  put(1, ctx->data_end - ctx->data);
  put(2, bpf_xdp_load_bytes(ctx, lo, buf, 24));
  __u64 v; __builtin_memcpy(&v, buf + 8, 8); put(3, v);
  buf[0] ^= 0xff; buf[23] ^= 0xff;
  put(4, bpf_xdp_store_bytes(ctx, so, buf, 24));
  put(5, bpf_xdp_adjust_tail(ctx, tail1));
  put(6, bpf_xdp_get_buff_len(ctx));
  put(7, bpf_xdp_adjust_tail(ctx, tail2));
  put(8, bpf_xdp_get_buff_len(ctx));
  put(9, ctx->data_end - ctx->data);
  put(10, bpf_xdp_load_bytes(ctx, 0xffff, buf, 2));
  put(11, bpf_xdp_store_bytes(ctx, bpf_xdp_get_buff_len(ctx) - 4, buf, 4));
  put(12, bpf_xdp_adjust_head(ctx, 8));
  put(13, bpf_xdp_get_buff_len(ctx));
  return XDP_PASS;
}

/* A plain XDP program gets frags under test_run too. */
SEC("xdp") int plain(struct xdp_md *ctx) {
  put(0, bpf_xdp_get_buff_len(ctx));
  put(1, ctx->data_end - ctx->data);
  put(2, bpf_xdp_adjust_tail(ctx, -1000));
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

/** A devmap egress program: records the interfaces it sees and drops egress to ifindex 9. */
export const XDP_DEVMAP_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } seen SEC(".maps");
SEC("xdp/devmap") int egress(struct xdp_md *ctx) {
  __u32 k = 0; __u64 v = ctx->egress_ifindex;
  bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
  k = 1; v = ctx->ingress_ifindex;
  bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
  return ctx->egress_ifindex == 9 ? XDP_DROP : XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;
