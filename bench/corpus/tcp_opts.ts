// Loop-heavy: walks the TCP options of an IPv4/TCP segment (at most 10
// options, one bounds check per option) looking for MSS; drops an MSS
// below 1000 and malformed options, passes the rest.
import {
  xdp,
  XdpAction,
  htons,
  ntohs,
  ETH_P_IP,
  IPPROTO_TCP,
  type EthHdr,
  type Ipv4Hdr,
  type TcpHdr,
} from "tsbpf";

interface Opt {
  kind: u8;
}
interface OptLen {
  kind: u8;
  len: u8;
}
interface OptMss {
  kind: u8;
  len: u8;
  mss: be16;
}

export const tcp_opts = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.ver_ihl !== 0x45 || ip.protocol !== IPPROTO_TCP) return XdpAction.PASS;
  const tcp = ctx.header<TcpHdr>(34);
  if (!tcp) return XdpAction.PASS;
  const end: u32 = 34 + (tcp.doff_res >> 4) * 4;
  let off: u32 = 54;
  for (let i: u32 = 0; i < 10; i++) {
    if (off >= end) break;
    // The mask is what tsbpf asks for (TSB3006: it does not carry end's
    // range, 34..94, into off); it changes nothing since off < 94 here.
    const at = off & 0x7f;
    const o = ctx.header<Opt>(at);
    if (!o) return XdpAction.DROP;
    if (o.kind === 0) break;
    if (o.kind === 1) {
      off += 1;
      continue;
    }
    const ol = ctx.header<OptLen>(at);
    if (!ol || ol.len < 2) return XdpAction.DROP;
    if (ol.kind === 2 && ol.len === 4) {
      const m = ctx.header<OptMss>(at);
      if (!m) return XdpAction.DROP;
      return ntohs(m.mss) < 1000 ? XdpAction.DROP : XdpAction.PASS;
    }
    off += ol.len;
  }
  return XdpAction.PASS;
});
