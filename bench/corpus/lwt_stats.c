/* LWT statistics: an array map counts packets and bytes per class (0
 * other, 1 TCP, 2 UDP over IPv4) on the xmit path; a class's fourth and
 * later UDP packets are dropped so the state shows in the verdicts. */
#include "common.h"

struct stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

SEC("lwt_xmit")
int lwt_stats(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end)
		return BPF_OK;
	__u32 idx = 0;
	if (ip->protocol == IPPROTO_TCP)
		idx = 1;
	else if (ip->protocol == IPPROTO_UDP)
		idx = 2;
	struct stats *s = bpf_map_lookup_elem(&stats, &idx);
	if (!s)
		return BPF_OK;
	s->packets += 1;
	s->bytes += skb->len;
	if (idx == 2 && s->packets > 3)
		return BPF_DROP;
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
