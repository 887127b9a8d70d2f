// Parser for every case at once: up to two 802.1Q tags, IPv4 or IPv6, TCP,
// UDP or ICMP; the verdict depends on the class (DROP for UDP to port 7 and
// ICMP over IPv6, TX for TCP to port 7, ABORTED for a too-short L4, PASS
// otherwise), so every branch is observable.
import {
  xdp,
  XdpAction,
  htons,
  ETH_P_IP,
  ETH_P_IPV6,
  ETH_P_8021Q,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_ICMPV6,
  type EthHdr,
  type VlanHdr,
  type Ipv4Hdr,
  type Ipv6Hdr,
  type UdpHdr,
  type TcpHdr,
} from "tsbpf";

export const classify = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.PASS;
  let off: u32 = 14;
  let proto = eth.h_proto;
  for (let i = 0; i < 2; i++) {
    if (proto !== htons(ETH_P_8021Q)) break;
    const vlan = ctx.header<VlanHdr>(off);
    if (!vlan) return XdpAction.PASS;
    proto = vlan.h_vlan_encapsulated_proto;
    off += 4;
  }
  let l4proto: u8 = 0;
  if (proto === htons(ETH_P_IP)) {
    const ip = ctx.header<Ipv4Hdr>(off);
    if (!ip) return XdpAction.PASS;
    l4proto = ip.protocol;
    off += (ip.ver_ihl & 0x0f) * 4;
  } else if (proto === htons(ETH_P_IPV6)) {
    const ip6 = ctx.header<Ipv6Hdr>(off);
    if (!ip6) return XdpAction.PASS;
    l4proto = ip6.nexthdr;
    off += 40;
  } else {
    return XdpAction.PASS;
  }
  if (l4proto === IPPROTO_TCP) {
    const tcp = ctx.header<TcpHdr>(off);
    if (!tcp) return XdpAction.ABORTED;
    return tcp.dest === htons(7) ? XdpAction.TX : XdpAction.PASS;
  }
  if (l4proto === IPPROTO_UDP) {
    const udp = ctx.header<UdpHdr>(off);
    if (!udp) return XdpAction.ABORTED;
    return udp.dest === htons(7) ? XdpAction.DROP : XdpAction.PASS;
  }
  if (l4proto === IPPROTO_ICMPV6) return XdpAction.DROP;
  return XdpAction.PASS;
});
