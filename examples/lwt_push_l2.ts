// Attaches the link-layer header at transmit on a route whose next hop's
// MAC address is known in advance (a point-to-point link, a fixed router),
// so the kernel never has to resolve it with ARP: bpf_skb_change_head makes
// room for 14 bytes in front of the IP header, the program writes the
// Ethernet header, and bpf_redirect sends the frame out of the route's
// device as it is. (The third use case of BPF_PROG_TYPE_LWT_XMIT.)
//
// Build:   npx tsbpf build examples/lwt_push_l2.ts -o push_l2.o
// Attach:  ip route add 192.0.2.0/24 encap bpf xmit obj push_l2.o section lwt_xmit dev eth0
// Detach:  ip route del 192.0.2.0/24
import {
  lwtXmit,
  BPF_DROP,
  bpf_skb_change_head,
  bpf_redirect,
  htons,
  ETH_P_IP,
  type EthHdr,
} from "tsbpf";

// The next hop's MAC (02:00:00:00:00:0b) and ours (02:00:00:00:00:0a): edit for your link.
const NEXT_HOP_LAST = 0x0b;
const OURS_LAST = 0x0a;

export const push_l2 = lwtXmit((skb) => {
  // The route's output device; read before the packet moves.
  const ifindex = skb.ifindex;
  if (bpf_skb_change_head(skb, 14, 0) !== 0) return BPF_DROP;
  const eth = skb.header<EthHdr>(0);
  if (!eth) return BPF_DROP;
  eth.h_dest[0] = 0x02;
  eth.h_dest[1] = 0;
  eth.h_dest[2] = 0;
  eth.h_dest[3] = 0;
  eth.h_dest[4] = 0;
  eth.h_dest[5] = NEXT_HOP_LAST;
  eth.h_source[0] = 0x02;
  eth.h_source[1] = 0;
  eth.h_source[2] = 0;
  eth.h_source[3] = 0;
  eth.h_source[4] = 0;
  eth.h_source[5] = OURS_LAST;
  eth.h_proto = htons(ETH_P_IP);
  // BPF_REDIRECT: the frame leaves through `ifindex` as written, no neighbour lookup.
  return bpf_redirect(ifindex, 0) as i32;
});
