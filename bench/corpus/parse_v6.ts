// Parser: Ethernet, one optional 802.1Q tag, IPv6, then TCP or UDP (no
// extension headers); drops hop limit <= 1, UDP to port 53 from a source
// port below 1024, and TCP to ports 22..25; passes the rest.
import {
  xdp,
  XdpAction,
  htons,
  ntohs,
  ETH_P_IPV6,
  ETH_P_8021Q,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type EthHdr,
  type VlanHdr,
  type Ipv6Hdr,
  type UdpHdr,
  type TcpHdr,
} from "tsbpf";

export const parse_v6 = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.PASS;
  let l3: u32 = 14;
  let proto = eth.h_proto;
  if (proto === htons(ETH_P_8021Q)) {
    const vlan = ctx.header<VlanHdr>(14);
    if (!vlan) return XdpAction.PASS;
    proto = vlan.h_vlan_encapsulated_proto;
    l3 = 18;
  }
  if (proto !== htons(ETH_P_IPV6)) return XdpAction.PASS;
  const ip6 = ctx.header<Ipv6Hdr>(l3);
  if (!ip6) return XdpAction.PASS;
  if (ip6.hop_limit <= 1) return XdpAction.DROP;
  const l4 = l3 + 40;
  if (ip6.nexthdr === IPPROTO_UDP) {
    const udp = ctx.header<UdpHdr>(l4);
    if (!udp) return XdpAction.DROP;
    if (udp.dest === htons(53) && ntohs(udp.source) < 1024) return XdpAction.DROP;
  } else if (ip6.nexthdr === IPPROTO_TCP) {
    const tcp = ctx.header<TcpHdr>(l4);
    if (!tcp) return XdpAction.DROP;
    const port = ntohs(tcp.dest);
    if (port >= 22 && port <= 25) return XdpAction.DROP;
  }
  return XdpAction.PASS;
});
