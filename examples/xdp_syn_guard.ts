// A SYN-flood guard: counts TCP SYNs (connection attempts) per source in
// windows of WINDOW_NS, and once a source has sent MAX_SYNS in a window its
// further SYNs are dropped until the window ends. Packets of connections
// already set up (no SYN, or SYN+ACK) are never touched.
//
// Build:   npx tsbpf build examples/xdp_syn_guard.ts -o syn_guard.o
// Attach:  ip link set dev eth0 xdp obj syn_guard.o sec xdp
// Read:    bpftool map dump name syn_sources
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  LruHash,
  bpf_ktime_get_ns,
  htons,
  ETH_P_IP,
  IPPROTO_TCP,
  type EthHdr,
  type Ipv4Hdr,
  type TcpHdr,
} from "tsbpf";

const MAX_SYNS = 3;
const WINDOW_NS = 10_000_000_000;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

interface SynWindow {
  start: u64;
  syns: u64;
  dropped: u64;
}

const syn_sources = new LruHash<be32, SynWindow>({ maxEntries: 65536 });

export const syn_guard = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.protocol !== IPPROTO_TCP) return XdpAction.PASS;
  const tcp = ctx.header<TcpHdr>(14 + (ip.ver_ihl & 0x0f) * 4);
  if (!tcp || (tcp.flags & (TCP_SYN | TCP_ACK)) !== TCP_SYN) return XdpAction.PASS;
  const saddr = ip.saddr;
  const now = bpf_ktime_get_ns();
  const w = syn_sources.lookup(saddr);
  if (!w || now - w.start >= WINDOW_NS) {
    const fresh: SynWindow = { start: now, syns: 1, dropped: 0 };
    syn_sources.update(saddr, fresh);
    return XdpAction.PASS;
  }
  if (w.syns >= MAX_SYNS) {
    w.dropped += 1;
    return XdpAction.DROP;
  }
  w.syns += 1;
  return XdpAction.PASS;
});
