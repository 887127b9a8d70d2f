// Loop-heavy: verifies the IPv4 header checksum over the header's real
// length (IHL 5..15 words, one bounds check per 32-bit word) and drops
// frames whose checksum is wrong.
import { xdp, XdpAction, htons, ETH_P_IP, type EthHdr, type Ipv4Hdr } from "tsbpf";

interface Word {
  hi: u16;
  lo: u16;
}

export const csum_loop = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  const ihl: u32 = ip.ver_ihl & 0x0f;
  let sum: u32 = 0;
  for (let i: u32 = 0; i < 15; i++) {
    if (i >= ihl) break;
    const w = ctx.header<Word>(14 + i * 4);
    if (!w) return XdpAction.DROP;
    // Two adds: `w.hi + w.lo` is u16 + u16 and wraps at 16 bits (C's would
    // promote to int), which loses the carry of a word like ff ff ff ff.
    sum += w.hi;
    sum += w.lo;
  }
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return sum === 0xffff ? XdpAction.PASS : XdpAction.DROP;
});
