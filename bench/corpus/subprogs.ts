// Small functions the way a user factors a parser: the L3 offset (with one
// VLAN tag), the destination port, and a verdict per port. Compilers may
// inline them (clang does).
import {
  xdp,
  XdpAction,
  htons,
  ntohs,
  ETH_P_IP,
  ETH_P_8021Q,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type EthHdr,
  type VlanHdr,
  type Ipv4Hdr,
  type XdpContext,
} from "tsbpf";

interface Ports {
  source: be16;
  dest: be16;
}

function l3Offset(ctx: XdpContext): u32 {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return 0;
  if (eth.h_proto === htons(ETH_P_IP)) return 14;
  if (eth.h_proto !== htons(ETH_P_8021Q)) return 0;
  const vlan = ctx.header<VlanHdr>(14);
  if (!vlan || vlan.h_vlan_encapsulated_proto !== htons(ETH_P_IP)) return 0;
  return 18;
}

function dstPort(ctx: XdpContext, l3: u32): u32 {
  // tsbpf wants the parameter bounded (TSB3006; a comparison is not taken
  // as a bound here); l3 is 14 or 18, so the mask changes nothing.
  const at = l3 & 0x1f;
  const ip = ctx.header<Ipv4Hdr>(at);
  if (!ip || ip.ver_ihl !== 0x45) return 0;
  if (ip.protocol !== IPPROTO_TCP && ip.protocol !== IPPROTO_UDP) return 0;
  const ports = ctx.header<Ports>(at + 20);
  if (!ports) return 0;
  return ntohs(ports.dest);
}

function portVerdict(port: u32): u32 {
  if (port === 0) return XdpAction.PASS;
  if (port === 8080) return XdpAction.TX;
  if (port < 1024 && (port & 1) === 0) return XdpAction.DROP;
  return XdpAction.PASS;
}

export const subprogs = xdp((ctx) => {
  const l3 = l3Offset(ctx);
  if (l3 === 0) return XdpAction.PASS;
  return portVerdict(dstPort(ctx, l3));
});
