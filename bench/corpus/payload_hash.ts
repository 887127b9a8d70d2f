// Loop-heavy: FNV-1a over the first 32 bytes of an IPv4/UDP payload; the
// hash's low two bits pick the verdict, so every byte matters.
import { xdp, XdpAction, htons, ETH_P_IP, IPPROTO_UDP, type EthHdr, type Ipv4Hdr } from "tsbpf";

interface Payload {
  b: Bytes<32>;
}

export const payload_hash = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.ver_ihl !== 0x45 || ip.protocol !== IPPROTO_UDP) return XdpAction.PASS;
  const p = ctx.header<Payload>(42);
  if (!p) return XdpAction.PASS;
  let h: u32 = 2166136261;
  for (let i: u32 = 0; i < 32; i++) {
    h = (h ^ p.b[i]) * 16777619;
  }
  const c = h & 3;
  if (c === 0) return XdpAction.DROP;
  if (c === 1) return XdpAction.TX;
  return XdpAction.PASS;
});
