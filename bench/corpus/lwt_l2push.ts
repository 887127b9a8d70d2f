// LWT L2 push: for IPv4 packets, grows the head by 14 bytes with
// bpf_skb_change_head and writes an Ethernet header (fixed MACs, type
// IPv4); other packets go out unchanged.
import { lwtXmit, BPF_OK, BPF_DROP, bpf_skb_change_head, htons, ETH_P_IP } from "tsbpf";
import type { EthHdr, Ipv4Hdr } from "tsbpf";

export const lwt_l2push = lwtXmit((skb) => {
  const ip = skb.header<Ipv4Hdr>(0);
  if (!ip || ip.ver_ihl >> 4 !== 4) return BPF_OK;
  if (bpf_skb_change_head(skb, 14, 0) !== 0) return BPF_DROP;
  const eth = skb.header<EthHdr>(0);
  if (!eth) return BPF_DROP;
  eth.h_dest[0] = 0x02;
  eth.h_dest[1] = 0x00;
  eth.h_dest[2] = 0x00;
  eth.h_dest[3] = 0x00;
  eth.h_dest[4] = 0x00;
  eth.h_dest[5] = 0x0b;
  eth.h_source[0] = 0x02;
  eth.h_source[1] = 0x00;
  eth.h_source[2] = 0x00;
  eth.h_source[3] = 0x00;
  eth.h_source[4] = 0x00;
  eth.h_source[5] = 0x0a;
  eth.h_proto = htons(ETH_P_IP);
  return BPF_OK;
});
