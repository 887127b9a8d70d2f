/* Rate limiter: counts packets per IPv4 source in a hash map and drops a
 * source's packets once it has sent LIMIT of them (a packet budget, so the
 * verdicts are deterministic, unlike a token bucket on the clock). */
#include "common.h"

#define LIMIT 3

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} budget SEC(".maps");

SEC("xdp")
int ratelimit(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	__u32 saddr = ip->saddr;
	__u64 *seen = bpf_map_lookup_elem(&budget, &saddr);
	if (!seen) {
		__u64 one = 1;
		bpf_map_update_elem(&budget, &saddr, &one, BPF_NOEXIST);
		return XDP_PASS;
	}
	if (*seen >= LIMIT)
		return XDP_DROP;
	__sync_fetch_and_add(seen, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
