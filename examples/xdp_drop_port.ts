// Drops UDP and TCP traffic to one destination port, and all ICMP echo
// requests (ping) if you choose; passes everything else. VLAN-tagged frames
// are looked through (one 802.1Q tag).
//
// Build:   npx tsbpf build examples/xdp_drop_port.ts -o drop_port.o
// Attach:  ip link set dev eth0 xdp obj drop_port.o sec xdp
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  htons,
  ETH_P_IP,
  ETH_P_8021Q,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_ICMP,
  type EthHdr,
  type VlanHdr,
  type Ipv4Hdr,
  type UdpHdr,
  type TcpHdr,
  type IcmpHdr,
} from "tsbpf";

/** The destination port to drop, for UDP and TCP. */
const BLOCKED_PORT = 9999;
/** Drop ICMP echo requests too. */
const DROP_PING = true;
const ICMP_ECHO_REQUEST = 8;

export const drop_port = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.PASS;
  let l3 = 14;
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
  const l4 = l3 + (ip.ver_ihl & 0x0f) * 4;
  if (ip.protocol === IPPROTO_UDP) {
    const udp = ctx.header<UdpHdr>(l4);
    if (udp && udp.dest === htons(BLOCKED_PORT)) return XdpAction.DROP;
  } else if (ip.protocol === IPPROTO_TCP) {
    const tcp = ctx.header<TcpHdr>(l4);
    if (tcp && tcp.dest === htons(BLOCKED_PORT)) return XdpAction.DROP;
  } else if (DROP_PING && ip.protocol === IPPROTO_ICMP) {
    const icmp = ctx.header<IcmpHdr>(l4);
    if (icmp && icmp.type === ICMP_ECHO_REQUEST) return XdpAction.DROP;
  }
  return XdpAction.PASS;
});
