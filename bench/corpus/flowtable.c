/* Flow table: a hash map keyed by the IPv4 TCP/UDP 5-tuple counts packets
 * and bytes per flow (inserting new flows with BPF_NOEXIST); a flow's
 * third and later packets are dropped so the table's state is visible in
 * the verdicts. */
#include "common.h"

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
};

struct flow_stats {
	__u64 packets;
	__u64 bytes;
};

struct ports {
	__be16 source;
	__be16 dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

SEC("xdp")
int flowtable(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->version != 4)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct ports *ports = (void *)(ip + 1);
	if ((void *)(ports + 1) > data_end)
		return XDP_PASS;
	/* Zeroed as a whole so the tail padding hashes the same every time. */
	struct flow_key key;
	__builtin_memset(&key, 0, sizeof(key));
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = ports->source;
	key.dport = ports->dest;
	key.proto = ip->protocol;
	__u64 len = bpf_ntohs(ip->tot_len);
	struct flow_stats *st = bpf_map_lookup_elem(&flows, &key);
	if (!st) {
		struct flow_stats init = { .packets = 1, .bytes = len };
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		return XDP_PASS;
	}
	st->packets += 1;
	st->bytes += len;
	return st->packets >= 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
