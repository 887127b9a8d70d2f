/* Small functions the way a user factors a parser: the L3 offset (with one
 * VLAN tag), the destination port, and a verdict per port. Compilers may
 * inline them (clang does). */
#include "common.h"

struct ports {
	__be16 source;
	__be16 dest;
};

static __u32 l3_offset(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return 14;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return 0;
	struct vlan_hdr *vlan = (void *)(eth + 1);
	if ((void *)(vlan + 1) > data_end ||
	    vlan->h_vlan_encapsulated_proto != bpf_htons(ETH_P_IP))
		return 0;
	return 18;
}

static __u32 dst_port(struct xdp_md *ctx, __u32 l3)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + l3;
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->version != 4)
		return 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return 0;
	struct ports *ports = (void *)(ip + 1);
	if ((void *)(ports + 1) > data_end)
		return 0;
	return bpf_ntohs(ports->dest);
}

static __u32 port_verdict(__u32 port)
{
	if (port == 0)
		return XDP_PASS;
	if (port == 8080)
		return XDP_TX;
	if (port < 1024 && (port & 1) == 0)
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int subprogs(struct xdp_md *ctx)
{
	__u32 l3 = l3_offset(ctx);
	if (l3 == 0)
		return XDP_PASS;
	return port_verdict(dst_port(ctx, l3));
}

char LICENSE[] SEC("license") = "GPL";
