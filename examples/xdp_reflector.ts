// A UDP echo service (RFC 862, port 7) answered in XDP, before the network
// stack: swaps the Ethernet addresses, the IPv4 addresses and the UDP ports
// and sends the frame back out of the interface it came in on (XDP_TX).
// Swapping fields leaves both checksums valid (a ones' complement sum does
// not depend on the order of its words). Everything else passes.
//
// Build:   npx tsbpf build examples/xdp_reflector.ts -o reflector.o
// Attach:  ip link set dev eth0 xdp obj reflector.o sec xdp
//          (on a veth, use `xdpgeneric` instead of `xdp`, or attach an XDP
//          program to the peer too: native XDP_TX on veth needs the peer's NAPI)
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  htons,
  ETH_P_IP,
  IPPROTO_UDP,
  type EthHdr,
  type Ipv4Hdr,
  type UdpHdr,
} from "tsbpf";

const ECHO_PORT = 7;

export const reflector = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const udp = ctx.header<UdpHdr>(14 + (ip.ver_ihl & 0x0f) * 4);
  if (!udp || udp.dest !== htons(ECHO_PORT)) return XdpAction.PASS;

  const d0 = eth.h_dest[0],
    d1 = eth.h_dest[1],
    d2 = eth.h_dest[2],
    d3 = eth.h_dest[3],
    d4 = eth.h_dest[4],
    d5 = eth.h_dest[5];
  eth.h_dest[0] = eth.h_source[0];
  eth.h_dest[1] = eth.h_source[1];
  eth.h_dest[2] = eth.h_source[2];
  eth.h_dest[3] = eth.h_source[3];
  eth.h_dest[4] = eth.h_source[4];
  eth.h_dest[5] = eth.h_source[5];
  eth.h_source[0] = d0;
  eth.h_source[1] = d1;
  eth.h_source[2] = d2;
  eth.h_source[3] = d3;
  eth.h_source[4] = d4;
  eth.h_source[5] = d5;

  const saddr = ip.saddr;
  ip.saddr = ip.daddr;
  ip.daddr = saddr;
  const sport = udp.source;
  udp.source = udp.dest;
  udp.dest = sport;
  return XdpAction.TX;
});
