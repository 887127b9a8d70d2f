// Reflector: answers IPv4/UDP to port 7 (echo) by swapping the MAC
// addresses, the IP addresses and the UDP ports and sending the frame back
// out (TX); the checksums stay valid because only positions change.
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

export const reflector = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.ver_ihl !== 0x45 || ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const udp = ctx.header<UdpHdr>(34);
  if (!udp || udp.dest !== htons(7)) return XdpAction.PASS;
  // Constant indexes: tsbpf refuses a variable index into a header's array.
  const d0 = eth.h_dest[0];
  const d1 = eth.h_dest[1];
  const d2 = eth.h_dest[2];
  const d3 = eth.h_dest[3];
  const d4 = eth.h_dest[4];
  const d5 = eth.h_dest[5];
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
  const a = ip.saddr;
  ip.saddr = ip.daddr;
  ip.daddr = a;
  const p = udp.source;
  udp.source = udp.dest;
  udp.dest = p;
  return XdpAction.TX;
});
