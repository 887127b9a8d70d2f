// Passes metadata up with bpf_xdp_adjust_meta: reserves 4 bytes in front of
// every packet (ctx.adjustMeta(-4)) and writes a u32 mark there through the
// typed view ctx.meta<Mark>() - the IPv4 protocol number, 0 for anything else.
// Everything passes. The metadata travels with the packet into the stack,
// where a tc ingress program on the same device reads it from
// __sk_buff->data_meta (the 4 bytes just before data) - examples/tc_meta_mark.ts
// is that consumer - or an AF_XDP socket finds it in front of the frame. A per-CPU counter
// records how many packets got the mark (slot 0) and how many had no room
// for metadata (slot 1, a driver without metadata support).
//
// Build:   npx tsbpf build examples/xdp_meta_mark.ts -o meta_mark.o
// Attach:  ip link set dev eth0 xdp obj meta_mark.o sec xdp
// Read:    bpftool map dump name meta_stats   (one value per CPU; add them up)
// Detach:  ip link set dev eth0 xdp off
import { xdp, XdpAction, PerCpuArray, htons, ETH_P_IP, type EthHdr, type Ipv4Hdr } from "tsbpf";

/** The metadata: what the consumer reads at data_meta (host byte order). */
interface Mark {
  mark: u32;
}

interface Counter {
  packets: u64;
}

/** Slots: 0 packets marked, 1 packets without room for metadata. */
const meta_stats = new PerCpuArray<Counter>({ maxEntries: 2 });

function bump(slot: u32): void {
  const c = meta_stats.lookup(slot);
  if (c) c.packets += 1;
}

export const meta_mark = xdp((ctx) => {
  // Grow the metadata area first: views taken before this call would be stale.
  if (ctx.adjustMeta(-4) !== 0) {
    bump(1);
    return XdpAction.PASS;
  }
  let mark: u32 = 0;
  const eth = ctx.header<EthHdr>(0);
  if (eth && eth.h_proto === htons(ETH_P_IP)) {
    const ip = ctx.header<Ipv4Hdr>(14);
    if (ip) mark = ip.protocol;
  }
  const meta = ctx.meta<Mark>();
  if (!meta) return XdpAction.PASS;
  meta.mark = mark;
  bump(0);
  return XdpAction.PASS;
});
