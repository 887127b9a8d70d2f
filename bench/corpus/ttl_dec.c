/* Router fast path: decrements the IPv4 TTL with the kernel's incremental
 * checksum update (ip_decrease_ttl) and sends the frame back (TX); drops
 * TTL <= 1, passes non-IPv4. */
#include "common.h"

static __always_inline void ip_decrease_ttl(struct iphdr *iph)
{
	__u32 check = iph->check;
	check += bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xFFFF));
	--iph->ttl;
}

SEC("xdp")
int ttl_dec(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (ip->ttl <= 1)
		return XDP_DROP;
	ip_decrease_ttl(ip);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
