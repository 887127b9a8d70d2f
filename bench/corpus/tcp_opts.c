/* Loop-heavy: walks the TCP options of an IPv4/TCP segment (at most 10
 * options, one bounds check per option) looking for MSS; drops an MSS
 * below 1000 and malformed options, passes the rest. */
#include "common.h"

SEC("xdp")
int tcp_opts(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->version != 4 ||
	    ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	struct tcphdr *tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	__u32 end = 34 + tcp->doff * 4;
	__u32 off = 54;
	for (int i = 0; i < 10; i++) {
		if (off >= end)
			break;
		__u8 *opt = data + off;
		if ((void *)(opt + 1) > data_end)
			return XDP_DROP;
		if (opt[0] == 0)
			break;
		if (opt[0] == 1) {
			off += 1;
			continue;
		}
		if ((void *)(opt + 2) > data_end || opt[1] < 2)
			return XDP_DROP;
		if (opt[0] == 2 && opt[1] == 4) {
			if ((void *)(opt + 4) > data_end)
				return XDP_DROP;
			return bpf_ntohs(*(__be16 *)(opt + 2)) < 1000 ? XDP_DROP : XDP_PASS;
		}
		off += opt[1];
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
