// C programs for test/helpers/kern-ctx-kernel.test.ts: bpf_cast_to_kern_ctx
// read back field by field (XDP: struct xdp_buff, also after
// bpf_xdp_adjust_head; LWT: struct sk_buff), and bpf_stream_vprintk_impl's
// error paths. The kernel structs are declared with the reference kernel's
// offsets (6.18 x86-64 vmlinux BTF) as explicit padding, no vmlinux.h.

const HEAD = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym;
extern int bpf_stream_vprintk_impl(int stream_id, const char *fmt__str, const void *args, __u32 len__sz, void *aux__prog) __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
`;

export const KERN_CTX_XDP_C = String.raw`${HEAD}
struct xdp_rxq_k { __u64 dev; __u32 queue_index, reg_state; };
struct xdp_buff_k { __u64 data, data_end, data_meta, data_hard_start; struct xdp_rxq_k *rxq; __u64 txq; __u32 frame_sz, flags; };
SEC("xdp") int xdp_kctx(struct xdp_md *ctx) {
  struct xdp_buff_k *k = bpf_cast_to_kern_ctx(ctx);
  put(0, k->frame_sz);
  put(1, k->flags);
  put(2, k->data_end - k->data);
  put(3, k->data - k->data_hard_start);
  put(4, k->data - k->data_meta);
  put(5, k->rxq->queue_index + 100 * k->rxq->reg_state);
  put(12, k->txq);
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 16 > e) return XDP_ABORTED;
  int head = (int)(signed char)d[14], meta = -(int)d[15];
  put(6, bpf_xdp_adjust_head(ctx, head));
  put(7, bpf_xdp_adjust_meta(ctx, meta));
  put(8, k->data_end - k->data);
  put(9, k->data - k->data_hard_start);
  put(10, k->data - k->data_meta);
  put(11, k->data == (__u64)(long)ctx->data);
  return XDP_PASS;
}
SEC("xdp") int xdp_streams(struct xdp_md *ctx) {
  __u64 args[2] = { 42, 7 }, big[13] = {};
  put(0, bpf_stream_vprintk_impl(3, "x %d\n", args, 8, 0));
  put(1, bpf_stream_vprintk_impl(0, "x %d\n", args, 8, 0));
  put(2, bpf_stream_vprintk_impl(1, "x %d\n", args, 12, 0));
  put(3, bpf_stream_vprintk_impl(2, "x %d\n", big, 8 * 13, 0));
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

export const KERN_CTX_LWT_C = String.raw`${HEAD}
struct sk_buff_k {
  char _0[112]; __u32 len, data_len; __u16 mac_len, hdr_len, queue_mapping; char _126[2];
  __u8 pkt_type_etc; char _129[3]; __u16 tc_index; char _134[6]; __u32 priority, skb_iif, hash;
  char _152[12]; __u32 mark; char _168[8]; __u16 protocol; char _178[6];
  __u32 tail, end; __u64 head, data;
};
SEC("lwt_xmit") int lwt_kctx(struct __sk_buff *skb) {
  struct sk_buff_k *k = bpf_cast_to_kern_ctx(skb);
  put(0, k->len);
  put(1, k->data_len);
  put(2, k->queue_mapping);
  put(3, k->pkt_type_etc & 7);
  put(4, k->priority);
  put(5, k->mark);
  put(6, k->protocol);
  put(7, k->tail - (k->data - k->head));
  put(8, k->data == (__u64)(long)skb->data);
  put(9, k->len == skb->len);
  put(10, k->skb_iif == skb->ingress_ifindex);
  put(11, k->tc_index);
  return BPF_OK;
}
char _license[] SEC("license") = "GPL";
`;
