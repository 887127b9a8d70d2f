// A per-destination packet quota on a route: each destination may receive
// QUOTA packets per WINDOW_NS; beyond that, packets to it are dropped until
// its window ends. The state (window start, packets so far) lives in an LRU
// hash across packets, so the filter acts on behaviour observed over time.
// (The second use case of BPF_PROG_TYPE_LWT_XMIT: per-route filters with
// per-destination state kept in maps.)
//
// Build:   npx tsbpf build examples/lwt_dest_quota.ts -o quota.o
// Attach:  ip route add 192.0.2.0/24 encap bpf xmit obj quota.o section lwt_xmit dev eth0
// Read:    bpftool map dump name quota_state
// Detach:  ip route del 192.0.2.0/24
import { lwtXmit, BPF_OK, BPF_DROP, LruHash, bpf_ktime_get_ns, type Ipv4Hdr } from "tsbpf";

const QUOTA = 5;
const WINDOW_NS = 2_000_000_000;

interface Window {
  start: u64;
  packets: u64;
  dropped: u64;
}

const quota_state = new LruHash<be32, Window>({ maxEntries: 4096 });

export const dest_quota = lwtXmit((skb) => {
  const ip = skb.header<Ipv4Hdr>(0);
  if (!ip || ip.ver_ihl >> 4 !== 4) return BPF_OK;
  const daddr = ip.daddr;
  const now = bpf_ktime_get_ns();
  const w = quota_state.lookup(daddr);
  if (!w || now - w.start >= WINDOW_NS) {
    const fresh: Window = { start: now, packets: 1, dropped: 0 };
    quota_state.update(daddr, fresh);
    return BPF_OK;
  }
  if (w.packets >= QUOTA) {
    w.dropped += 1;
    return BPF_DROP;
  }
  w.packets += 1;
  return BPF_OK;
});
