/* Counters: a per-CPU array counts packets per class (0 other, 1 TCP,
 * 2 UDP, 3 ICMP over IPv4); non-IPv4 is dropped, the rest passed. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} pkts SEC(".maps");

SEC("xdp")
int counters(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	__u32 idx = 0;
	if (ip->protocol == IPPROTO_TCP)
		idx = 1;
	else if (ip->protocol == IPPROTO_UDP)
		idx = 2;
	else if (ip->protocol == IPPROTO_ICMP)
		idx = 3;
	__u64 *c = bpf_map_lookup_elem(&pkts, &idx);
	if (c)
		*c += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
