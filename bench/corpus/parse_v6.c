/* Parser: Ethernet, one optional 802.1Q tag, IPv6, then TCP or UDP (no
 * extension headers); drops hop limit <= 1, UDP to port 53 from a source
 * port below 1024, and TCP to ports 22..25; passes the rest. */
#include "common.h"

SEC("xdp")
int parse_v6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	void *l3 = eth + 1;
	__be16 proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vlan = l3;
		if ((void *)(vlan + 1) > data_end)
			return XDP_PASS;
		proto = vlan->h_vlan_encapsulated_proto;
		l3 = vlan + 1;
	}
	if (proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	struct ipv6hdr *ip6 = l3;
	if ((void *)(ip6 + 1) > data_end)
		return XDP_PASS;
	if (ip6->hop_limit <= 1)
		return XDP_DROP;
	void *l4 = ip6 + 1;
	if (ip6->nexthdr == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		if (udp->dest == bpf_htons(53) && bpf_ntohs(udp->source) < 1024)
			return XDP_DROP;
	} else if (ip6->nexthdr == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		__u16 port = bpf_ntohs(tcp->dest);
		if (port >= 22 && port <= 25)
			return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
