/* Helper-heavy: clock and CPU id, then strips the Ethernet header with
 * bpf_xdp_adjust_head, reads the TTL, puts the header back, trims and
 * regrows the tail; values stay live across every call. TX when the TTL is
 * at most 64, DROP above. */
#include "common.h"

SEC("xdp")
int helper_mix(struct xdp_md *ctx)
{
	__u64 t0 = bpf_ktime_get_ns();
	__u32 cpu = bpf_get_smp_processor_id();
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (bpf_xdp_adjust_head(ctx, 14))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	__u8 ttl = ip->ttl;
	if (bpf_xdp_adjust_head(ctx, -14))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, -4))
		return XDP_ABORTED;
	if (bpf_xdp_adjust_tail(ctx, 4))
		return XDP_ABORTED;
	__u64 t1 = bpf_ktime_get_ns();
	if (t1 < t0 || cpu > 4096)
		return XDP_ABORTED;
	return ttl > 64 ? XDP_DROP : XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
