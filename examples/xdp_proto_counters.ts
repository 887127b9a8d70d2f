// Counts packets and bytes per IP protocol (TCP, UDP, ICMP, other IPv4,
// IPv6, non-IP) in a per-CPU array: each CPU adds to its own slot without
// atomics or contention, and user space sums the CPUs when it reads.
// Passes everything.
//
// Build:   npx tsbpf build examples/xdp_proto_counters.ts -o counters.o
// Attach:  ip link set dev eth0 xdp obj counters.o sec xdp
// Read:    bpftool map dump name proto_stats   (one value per CPU; add them up)
// Detach:  ip link set dev eth0 xdp off
import {
  xdp,
  XdpAction,
  PerCpuArray,
  bpf_xdp_get_buff_len,
  htons,
  ETH_P_IP,
  ETH_P_IPV6,
  IPPROTO_TCP,
  IPPROTO_UDP,
  IPPROTO_ICMP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

interface Counter {
  packets: u64;
  bytes: u64;
}

/** Slots: 0 TCP, 1 UDP, 2 ICMP, 3 other IPv4, 4 IPv6, 5 not IP. */
const proto_stats = new PerCpuArray<Counter>({ maxEntries: 6 });

function slotOf(proto: u8): u32 {
  if (proto === IPPROTO_TCP) return 0;
  if (proto === IPPROTO_UDP) return 1;
  if (proto === IPPROTO_ICMP) return 2;
  return 3;
}

export const count_protocols = xdp((ctx) => {
  let slot: u32 = 5;
  const eth = ctx.header<EthHdr>(0);
  if (eth && eth.h_proto === htons(ETH_P_IPV6)) slot = 4;
  if (eth && eth.h_proto === htons(ETH_P_IP)) {
    const ip = ctx.header<Ipv4Hdr>(14);
    if (ip) slot = slotOf(ip.protocol);
  }
  const c = proto_stats.lookup(slot);
  if (c) {
    c.packets += 1;
    c.bytes += bpf_xdp_get_buff_len(ctx);
  }
  return XdpAction.PASS;
});
