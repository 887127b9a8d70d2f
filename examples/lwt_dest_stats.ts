// Per-destination statistics for the traffic of a route, with sampling:
// every packet sent through the route is counted per destination address
// (packets, bytes), and one packet in SAMPLE_EVERY is described to user
// space (addresses, protocol, TTL, length) through a ring buffer. (The first use case of
// BPF_PROG_TYPE_LWT_XMIT: statistics and sampling by destination.)
//
// Build:   npx tsbpf build examples/lwt_dest_stats.ts -o dest_stats.o
// Attach:  ip route add 192.0.2.0/24 encap bpf xmit obj dest_stats.o section lwt_xmit dev eth0
// Read:    bpftool map dump name dest_stats; samples: any ring buffer reader on map "samples"
// Detach:  ip route del 192.0.2.0/24
import {
  lwtXmit,
  BPF_OK,
  HashMap,
  RingBuf,
  ArrayMap,
  atomicAdd,
  addressOf,
  type Ipv4Hdr,
} from "tsbpf";

interface DestStats {
  packets: u64;
  bytes: u64;
}

interface Sample {
  saddr: be32;
  daddr: be32;
  len: u32;
  protocol: u8;
  ttl: u8;
  pad: u16;
}

const SAMPLE_EVERY = 4;

const dest_stats = new HashMap<be32, DestStats>({ maxEntries: 4096 });
const samples = new RingBuf({ maxEntries: 1 << 16 });
/** Slot 0: packets seen, to pick every SAMPLE_EVERY-th for sampling. */
const seen = new ArrayMap<u64>({ maxEntries: 1 });

export const dest_stats_prog = lwtXmit((skb) => {
  // LWT programs see the packet from the IP header on.
  const ip = skb.header<Ipv4Hdr>(0);
  if (!ip || ip.ver_ihl >> 4 !== 4) return BPF_OK;
  const daddr = ip.daddr;
  const len = skb.len;
  const s = dest_stats.lookup(daddr);
  if (s) {
    atomicAdd(addressOf(s.packets), 1);
    atomicAdd(addressOf(s.bytes), len);
  } else {
    const first: DestStats = { packets: 1, bytes: len };
    dest_stats.update(daddr, first);
  }
  const n = seen.lookup(0);
  if (!n) return BPF_OK;
  const count = atomicAdd(n, 1);
  if (count % SAMPLE_EVERY !== 0) return BPF_OK;
  const rec = samples.reserve<Sample>();
  if (!rec) return BPF_OK;
  rec.saddr = ip.saddr;
  rec.daddr = daddr;
  rec.len = len;
  rec.protocol = ip.protocol;
  rec.ttl = ip.ttl;
  rec.pad = 0;
  samples.submit(rec);
  return BPF_OK;
});
