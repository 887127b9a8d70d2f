/* Parser for every case at once: up to two 802.1Q tags, IPv4 or IPv6, TCP,
 * UDP or ICMP; the verdict depends on the class (DROP for UDP to port 7 and
 * ICMP over IPv6, TX for TCP to port 7, ABORTED for a too-short L4, PASS
 * otherwise), so every branch is observable. */
#include "common.h"

SEC("xdp")
int classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	void *cur = eth + 1;
	__be16 proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q))
			break;
		struct vlan_hdr *vlan = cur;
		if ((void *)(vlan + 1) > data_end)
			return XDP_PASS;
		proto = vlan->h_vlan_encapsulated_proto;
		cur = vlan + 1;
	}
	__u8 l4proto;
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cur;
		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		l4proto = ip->protocol;
		cur = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		l4proto = ip6->nexthdr;
		cur = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	if (l4proto == IPPROTO_TCP) {
		struct tcphdr *tcp = cur;
		if ((void *)(tcp + 1) > data_end)
			return XDP_ABORTED;
		return tcp->dest == bpf_htons(7) ? XDP_TX : XDP_PASS;
	}
	if (l4proto == IPPROTO_UDP) {
		struct udphdr *udp = cur;
		if ((void *)(udp + 1) > data_end)
			return XDP_ABORTED;
		return udp->dest == bpf_htons(7) ? XDP_DROP : XDP_PASS;
	}
	if (l4proto == IPPROTO_ICMPV6)
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
