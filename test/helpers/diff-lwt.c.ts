// C programs for the LWT differential test (test/helpers/lwt-kernel.test.ts):
// lwt_xmit programs whose helper results go to `out` (u64 slots).

export const LWT_HELPERS_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }

/* Rewrites daddr and fixes the IP and UDP checksums the incremental way. */
SEC("lwt_xmit") int csum_replace(struct __sk_buff *skb) {
  __u8 *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
  if (d + 28 > e) return BPF_DROP;
  __u32 old = *(__u32 *)(d + 16), new = old ^ 0x01020304;
  __u16 oldp = *(__u16 *)(d + 22), newp = oldp + 0x0101;
  __u32 fl = d[27];
  *(__u32 *)(d + 16) = new;
  put(0, bpf_l3_csum_replace(skb, 10, old, new, 4));
  put(1, bpf_l4_csum_replace(skb, 26, old, new, BPF_F_PSEUDO_HDR | 4 | (fl & 0x20)));
  d = (void *)(long)skb->data; e = (void *)(long)skb->data_end;
  if (d + 28 > e) return BPF_DROP;
  *(__u16 *)(d + 22) = newp;
  put(2, bpf_l4_csum_replace(skb, 26, oldp, newp, 2 | (fl & 0x20)));
  __be32 from[1] = { old }, to[1] = { new };
  __s64 diff = bpf_csum_diff(from, 4, to, 4, 0);
  put(3, diff);
  put(4, bpf_l3_csum_replace(skb, 12, 0, diff, 0));
  put(5, bpf_l3_csum_replace(skb, 11, 0, 0, 4));
  put(6, bpf_l3_csum_replace(skb, 10, 1, 0, 0));
  put(7, bpf_l4_csum_replace(skb, 4000, 0, 0, 4));
  put(8, bpf_l4_csum_replace(skb, 10, 0, 0, 8));
  return BPF_OK;
}

SEC("lwt_xmit") int change(struct __sk_buff *skb) {
  __u8 *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
  if (d + 24 > e) return BPF_DROP;
  int head = d[20], tail = d[21], mode = d[22];
  put(0, skb->len);
  if (mode & 1) put(1, bpf_skb_change_head(skb, head, 0));
  if (mode & 2) put(2, bpf_skb_change_tail(skb, skb->len + tail - 8, 0));
  if (mode & 4) put(3, bpf_skb_change_tail(skb, 0, 0));
  if (mode & 8) put(4, bpf_skb_change_head(skb, 70000, 0));
  put(5, bpf_skb_change_tail(skb, 10, 1));
  put(6, skb->len);
  d = (void *)(long)skb->data; e = (void *)(long)skb->data_end;
  if (d + 1 <= e) d[0] = 0x60;
  return BPF_OK;
}

SEC("lwt_xmit") int bytes(struct __sk_buff *skb) {
  __u8 buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
  __u8 *d = (void *)(long)skb->data, *e = (void *)(long)skb->data_end;
  if (d + 24 > e) return BPF_DROP;
  __u32 off = d[20], at = d[21];
  put(0, bpf_skb_load_bytes(skb, off, buf, 8));
  __u64 v; __builtin_memcpy(&v, buf, 8); put(1, v);
  put(2, bpf_skb_store_bytes(skb, at, buf, 4, BPF_F_RECOMPUTE_CSUM));
  put(3, bpf_skb_store_bytes(skb, at, buf, 4, 4));
  put(4, bpf_skb_load_bytes(skb, 0x80000000, buf, 2));
  put(5, bpf_skb_pull_data(skb, 0));
  put(6, bpf_skb_pull_data(skb, 4000));
  return BPF_OK;
}

SEC("lwt_xmit") int meta(struct __sk_buff *skb) {
  struct bpf_tunnel_key key = { .tunnel_id = 5 };
  __u8 opt[8] = { 9, 9, 9, 9, 9, 9, 9, 9 };
  put(0, bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY));
  put(1, bpf_csum_level(skb, BPF_CSUM_LEVEL_INC));
  put(2, bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY));
  put(3, bpf_csum_level(skb, 7));
  put(4, bpf_csum_update(skb, 0x1234));
  put(5, bpf_get_route_realm(skb));
  put(6, bpf_get_cgroup_classid(skb));
  put(7, bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0));
  put(8, key.tunnel_id);
  put(9, bpf_skb_get_tunnel_opt(skb, opt, sizeof(opt)));
  put(10, opt[0]);
  put(11, bpf_skb_set_tunnel_opt(skb, opt, 8));
  put(12, bpf_redirect(1, 0));
  put(13, bpf_redirect(1, 2));
  put(14, bpf_clone_redirect(skb, 4242, 0));
  put(15, bpf_clone_redirect(skb, 1, 4));
  return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
`;
