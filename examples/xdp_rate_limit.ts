// A token-bucket rate limiter per source address: each source earns
// RATE_PER_SEC tokens a second up to a burst of BURST, every packet spends
// one, and packets from a source with an empty bucket are dropped. Buckets
// live in an LRU hash, so sources that go quiet are evicted first when the
// table is full.
//
// Build:   npx tsbpf build examples/xdp_rate_limit.ts -o rate_limit.o
// Attach:  ip link set dev eth0 xdp obj rate_limit.o sec xdp
// Read:    bpftool map dump name buckets
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  LruHash,
  bpf_ktime_get_ns,
  htons,
  ETH_P_IP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

const RATE_PER_SEC = 2;
const BURST = 5;
const NS_PER_TOKEN = 1_000_000_000 / RATE_PER_SEC;

interface Bucket {
  tokens: u64;
  /** When the last whole token was added. */
  refilled: u64;
  dropped: u64;
}

const buckets = new LruHash<be32, Bucket>({ maxEntries: 65536 });

export const rate_limit = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  const saddr = ip.saddr;
  const now = bpf_ktime_get_ns();
  const b = buckets.lookup(saddr);
  if (!b) {
    // A new source starts with a full bucket, minus this packet.
    const fresh: Bucket = { tokens: BURST - 1, refilled: now, dropped: 0 };
    buckets.update(saddr, fresh);
    return XdpAction.PASS;
  }
  const earned = (now - b.refilled) / NS_PER_TOKEN;
  if (earned > 0) {
    b.tokens = b.tokens + earned > BURST ? BURST : b.tokens + earned;
    b.refilled += earned * NS_PER_TOKEN;
  }
  if (b.tokens === 0) {
    b.dropped += 1;
    return XdpAction.DROP;
  }
  b.tokens -= 1;
  return XdpAction.PASS;
});
