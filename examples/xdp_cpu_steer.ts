// Spreads IPv4 flows over CPUs with a CPU map, and finishes the work there:
// the first stage (`steer`, on the device) hashes each frame's addresses,
// protocol and ports to one of CPUS slots and redirects it into the cpumap
// `cpus`; the kernel queues the frame to that CPU, where the second stage
// (`on_cpu`, section xdp/cpumap) runs before the network stack. It counts
// frames and bytes per protocol in a per-CPU array (so each CPU's column is
// what ran there) and drops UDP to port 9999. Frames that are not IPv4, and
// frames whose CPU slot is empty, stay on the receiving CPU (XDP_PASS).
// `steered` counts the frames handed to each CPU, for comparison.
//
// A cpumap entry is struct bpf_cpumap_val { u32 qsize; u32 prog fd }: the
// second stage must be loaded (with expected attach type BPF_XDP_CPUMAP,
// which libbpf gives a program in section xdp/cpumap) before its fd goes in
// the entry, and bpftool cannot write an fd into a cpumap value, so
// examples/support/cpumap_set.py does that update through bpf(2).
//
// Build:   npx tsbpf build examples/xdp_cpu_steer.ts -o cpu_steer.o
// Load:    bpftool prog loadall cpu_steer.o /sys/fs/bpf/cpu_steer pinmaps /sys/fs/bpf/cpu_steer_maps
// CPUs:    for c in 0 1; do python3 examples/support/cpumap_set.py \
//            /sys/fs/bpf/cpu_steer_maps/cpus $c 192 /sys/fs/bpf/cpu_steer/on_cpu; done
// Attach:  ip link set dev eth0 xdp pinned /sys/fs/bpf/cpu_steer/steer
//          (on a veth use xdpgeneric: its locally sent UDP/TCP carry partial checksums,
//           which a native redirect drops with the skb, so the stack would refuse them)
// Read:    bpftool map dump pinned /sys/fs/bpf/cpu_steer_maps/cpu_stats   (one column per CPU)
//          bpftool map dump pinned /sys/fs/bpf/cpu_steer_maps/steered
// Detach:  ip link set dev eth0 xdp off; rm -r /sys/fs/bpf/cpu_steer /sys/fs/bpf/cpu_steer_maps
import {
  xdp,
  XdpAction,
  ArrayMap,
  CpuMap,
  PerCpuArray,
  atomicAdd,
  bpf_xdp_get_buff_len,
  htons,
  ntohl,
  ntohs,
  ETH_P_IP,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type EthHdr,
  type Ipv4Hdr,
} from "tsbpf";

/** CPUs the flows are spread over: slots 0..CPUS-1 of `cpus`, filled by user space. */
const CPUS = 2;
const DROP_PORT = 9999;

/** CPU -> { qsize, second-stage program }. */
const cpus = new CpuMap({ maxEntries: CPUS });
/** Frames the first stage redirected to each CPU. */
const steered = new ArrayMap<u64>({ maxEntries: CPUS });

interface Counter {
  packets: u64;
  bytes: u64;
}
/** Second stage, per CPU. Slots: 0 ICMP, 1 TCP, 2 UDP, 3 other IPv4, 4 dropped (UDP to 9999). */
const cpu_stats = new PerCpuArray<Counter>({ maxEntries: 5 });

/** The first four bytes of TCP and UDP headers alike. */
interface Ports {
  source: be16;
  dest: be16;
}

/** A flow's CPU: addresses, protocol and ports mixed (murmur3's finalizer), modulo CPUS. */
function cpuOf(saddr: u32, daddr: u32, proto: u32, ports: u32): u32 {
  let h: u32 = saddr ^ daddr ^ (proto << 24) ^ ports;
  h ^= h >> 16;
  h = h * 0x85ebca6b;
  h ^= h >> 13;
  h = h * 0xc2b2ae35;
  h ^= h >> 16;
  return h % CPUS;
}

export const steer = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  let ports: u32 = 0;
  if (ip.protocol === IPPROTO_TCP || ip.protocol === IPPROTO_UDP) {
    const p = ctx.header<Ports>(14 + (ip.ver_ihl & 0x0f) * 4);
    if (p) ports = ((ntohs(p.source) as u32) << 16) | ntohs(p.dest);
  }
  const cpu = cpuOf(ntohl(ip.saddr), ntohl(ip.daddr), ip.protocol, ports);
  // XDP_REDIRECT when the CPU's slot is set; otherwise the flags' action (XDP_PASS).
  const action = cpus.redirect(cpu, XdpAction.PASS);
  if (action === XdpAction.REDIRECT) {
    const n = steered.lookup(cpu);
    if (n) atomicAdd(n, 1);
  }
  return action as u32;
});

function count(slot: u32, bytes: u64): void {
  const c = cpu_stats.lookup(slot);
  if (c) {
    c.packets += 1;
    c.bytes += bytes;
  }
}

export const on_cpu = xdp({ attach: "cpumap" }, (ctx) => {
  const len = bpf_xdp_get_buff_len(ctx);
  const eth = ctx.header<EthHdr>(0);
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!eth || !ip) return XdpAction.PASS; // the first stage sends IPv4 only
  if (ip.protocol === IPPROTO_ICMP) count(0, len);
  else if (ip.protocol === IPPROTO_TCP) count(1, len);
  else if (ip.protocol === IPPROTO_UDP) {
    count(2, len);
    const p = ctx.header<Ports>(14 + (ip.ver_ihl & 0x0f) * 4);
    if (p && p.dest === htons(DROP_PORT)) {
      count(4, len);
      return XdpAction.DROP;
    }
  } else count(3, len);
  return XdpAction.PASS;
});
