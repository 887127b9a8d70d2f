// Rate limiter: counts packets per IPv4 source in a hash map and drops a
// source's packets once it has sent LIMIT of them (a packet budget, so the
// verdicts are deterministic, unlike a token bucket on the clock).
import {
  xdp,
  XdpAction,
  HashMap,
  BPF_NOEXIST,
  atomicAdd,
  htons,
  ETH_P_IP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

const LIMIT = 3;
const budget = new HashMap<be32, u64>({ maxEntries: 4096 });

export const ratelimit = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  const seen = budget.lookup(ip.saddr);
  if (!seen) {
    budget.update(ip.saddr, 1, BPF_NOEXIST);
    return XdpAction.PASS;
  }
  if (seen.value >= LIMIT) return XdpAction.DROP;
  atomicAdd(seen, 1);
  return XdpAction.PASS;
});
