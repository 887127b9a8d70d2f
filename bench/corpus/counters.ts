// Counters: a per-CPU array counts packets per class (0 other, 1 TCP,
// 2 UDP, 3 ICMP over IPv4); non-IPv4 is dropped, the rest passed.
import {
  xdp,
  XdpAction,
  PerCpuArray,
  htons,
  ETH_P_IP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_ICMP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

const pkts = new PerCpuArray<u64>({ maxEntries: 4 });

export const counters = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.DROP;
  if (eth.h_proto !== htons(ETH_P_IP)) return XdpAction.DROP;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.DROP;
  let idx: u32 = 0;
  if (ip.protocol === IPPROTO_TCP) idx = 1;
  else if (ip.protocol === IPPROTO_UDP) idx = 2;
  else if (ip.protocol === IPPROTO_ICMP) idx = 3;
  const c = pkts.lookup(idx);
  if (c) c.value += 1;
  return XdpAction.PASS;
});
