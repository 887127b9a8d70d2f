// Router fast path: decrements the IPv4 TTL with the kernel's incremental
// checksum update (ip_decrease_ttl) and sends the frame back (TX); drops
// TTL <= 1, passes non-IPv4.
import { xdp, XdpAction, htons, ETH_P_IP, type EthHdr, type Ipv4Hdr } from "tsbpf";

export const ttl_dec = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  if (ip.ttl <= 1) return XdpAction.DROP;
  let check: u32 = ip.check;
  check += htons(0x0100) as u32;
  ip.check = (check + (check >= 0xffff ? 1 : 0)) as u16;
  ip.ttl = (ip.ttl - 1) as u8;
  return XdpAction.TX;
});
