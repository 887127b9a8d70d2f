// Parser: Ethernet, one optional 802.1Q tag, IPv4 with any IHL, then TCP or
// UDP; drops port 9999 (both) and TCP SYNs to port 23, passes the rest.
import {
  xdp,
  XdpAction,
  htons,
  ETH_P_IP,
  ETH_P_8021Q,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type EthHdr,
  type VlanHdr,
  type Ipv4Hdr,
  type UdpHdr,
  type TcpHdr,
} from "tsbpf";

export const parse_v4 = xdp((ctx) => {
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
  if (proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(l3);
  if (!ip) return XdpAction.PASS;
  const ihl = ip.ver_ihl & 0x0f;
  if (ihl < 5) return XdpAction.DROP;
  const l4 = l3 + ihl * 4;
  if (ip.protocol === IPPROTO_UDP) {
    const udp = ctx.header<UdpHdr>(l4);
    if (!udp) return XdpAction.DROP;
    if (udp.dest === htons(9999)) return XdpAction.DROP;
  } else if (ip.protocol === IPPROTO_TCP) {
    const tcp = ctx.header<TcpHdr>(l4);
    if (!tcp) return XdpAction.DROP;
    if (tcp.dest === htons(9999)) return XdpAction.DROP;
    if (tcp.dest === htons(23) && (tcp.flags & 0x02) !== 0) return XdpAction.DROP;
  }
  return XdpAction.PASS;
});
