/* Loop-heavy: verifies the IPv4 header checksum over the header's real
 * length (IHL 5..15 words, one bounds check per 32-bit word) and drops
 * frames whose checksum is wrong. */
#include "common.h"

SEC("xdp")
int csum_loop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	__u32 ihl = ip->ihl;
	__u32 sum = 0;
	for (__u32 i = 0; i < 15; i++) {
		if (i >= ihl)
			break;
		__u16 *w = (void *)ip + i * 4;
		if ((void *)(w + 2) > data_end)
			return XDP_DROP;
		sum += w[0] + w[1];
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
