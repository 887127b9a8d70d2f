/* LWT L2 push: for IPv4 packets, grows the head by 14 bytes with
 * bpf_skb_change_head and writes an Ethernet header (fixed MACs, type
 * IPv4); other packets go out unchanged. */
#include "common.h"

static const unsigned char dmac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0b };
static const unsigned char smac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x0a };

SEC("lwt_xmit")
int lwt_l2push(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;
	if ((void *)(ip + 1) > data_end || ip->version != 4)
		return BPF_OK;
	if (bpf_skb_change_head(skb, ETH_HLEN, 0))
		return BPF_DROP;
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return BPF_DROP;
	__builtin_memcpy(eth->h_dest, dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, smac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
