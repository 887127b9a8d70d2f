/* Loop-heavy: FNV-1a over the first 32 bytes of an IPv4/UDP payload; the
 * hash's low two bits pick the verdict, so every byte matters. */
#include "common.h"

SEC("xdp")
int payload_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->version != 4 ||
	    ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	__u8 *p = (void *)(ip + 1) + sizeof(struct udphdr);
	if ((void *)(p + 32) > data_end)
		return XDP_PASS;
	__u32 h = 2166136261u;
	for (int i = 0; i < 32; i++)
		h = (h ^ p[i]) * 16777619u;
	__u32 c = h & 3;
	if (c == 0)
		return XDP_DROP;
	if (c == 1)
		return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
