// LWT statistics: an array map counts packets and bytes per class (0
// other, 1 TCP, 2 UDP over IPv4) on the xmit path; a class's fourth and
// later UDP packets are dropped so the state shows in the verdicts.
import { lwtXmit, BPF_OK, BPF_DROP, ArrayMap, IPPROTO_TCP, IPPROTO_UDP, type Ipv4Hdr } from "tsbpf";

interface Stats {
  packets: u64;
  bytes: u64;
}

const stats = new ArrayMap<Stats>({ maxEntries: 3 });

export const lwt_stats = lwtXmit((skb) => {
  const ip = skb.header<Ipv4Hdr>(0);
  if (!ip) return BPF_OK;
  let idx: u32 = 0;
  if (ip.protocol === IPPROTO_TCP) idx = 1;
  else if (ip.protocol === IPPROTO_UDP) idx = 2;
  const s = stats.lookup(idx);
  if (!s) return BPF_OK;
  s.packets += 1;
  s.bytes += skb.len;
  if (idx === 2 && s.packets > 3) return BPF_DROP;
  return BPF_OK;
});
