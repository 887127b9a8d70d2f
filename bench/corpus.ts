// The benchmark corpus: each program exists twice, bench/corpus/<name>.ts
// (tsbpf) and bench/corpus/<name>.c (clang-19), doing the same work. Here
// is what the bench needs besides the sources: the program type, the
// packets both versions must agree on (run in order, so stateful programs
// see the same history), and the map entries user space puts in first.

import { join } from "node:path";
import {
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  ICMP,
  TCP,
  UDP,
  eth,
  ipv4,
  ipv6,
  tcp,
  udp,
  vlan,
} from "../test/compiler/packets.js";

export const CORPUS_DIR = join(import.meta.dirname, "corpus");

export interface MapSetup {
  /** The map's name in both objects (C and TypeScript use the same). */
  map: string;
  key: number[];
  value: number[];
}

export interface Packet {
  name: string;
  bytes: number[];
}

export interface BenchProgram {
  /** File stem and program (function) name in both objects. */
  name: string;
  type: "xdp" | "lwt_xmit";
  kind: string;
  packets: Packet[];
  setup?: MapSetup[];
}

const ICMPV6 = 58;
const udp4 = (dport: number, opts: { src?: number[]; sport?: number; data?: number[] } = {}) =>
  ipv4(UDP, udp(opts.sport ?? 1234, dport, opts.data ?? [1, 2, 3, 4]), {
    src: opts.src ?? [10, 0, 0, 1],
  });
const tcp4 = (dport: number, flags = 0x10) => ipv4(TCP, tcp(4321, dport, flags));
const tcp6 = (dport: number) => ipv6(TCP, tcp(4321, dport, 0x10));
const udp6 = (dport: number, sport = 1234) => ipv6(UDP, udp(sport, dport, [1, 2, 3, 4]));
const icmp4 = () => ipv4(ICMP, [8, 0, 0, 0, 0, 1, 0, 1]);
const tagged = (inner: number, payload: number[], id = 100) =>
  eth(ETH_P_8021Q, vlan(id, inner, payload));
const arp = () => eth(ETH_P_ARP, new Array<number>(28).fill(0));
const p = (name: string, bytes: number[]): Packet => ({ name, bytes });

/** TCP over IPv4 whose header carries `opts` (padded to 4 bytes), for the options walker. */
function tcpWithOptions(opts: number[]): number[] {
  const padded = [...opts];
  while (padded.length % 4) padded.push(0);
  const hdr = tcp(4321, 80, 0x02);
  hdr[12] = ((20 + padded.length) / 4) << 4;
  return eth(ETH_P_IP, ipv4(TCP, [...hdr, ...padded]));
}

/** An IPv4/UDP frame with its header checksum broken. */
function badChecksum(): number[] {
  const f = eth(ETH_P_IP, udp4(53));
  f[24] = f[24]! ^ 0xff;
  return f;
}

const payload32 = (seed: number) => Array.from({ length: 32 }, (_, i) => (i * 7 + seed) & 0xff);
const SRC_BLOCKED = [10, 0, 0, 66];

/** Common mixes: plain and tagged IPv4/IPv6 TCP/UDP, ICMP, ARP and a runt. */
const MIX: Packet[] = [
  p("udp4", eth(ETH_P_IP, udp4(53))),
  p("tcp4", eth(ETH_P_IP, tcp4(80))),
  p("icmp4", eth(ETH_P_IP, icmp4())),
  p("vlan udp4", tagged(ETH_P_IP, udp4(53))),
  p("udp6", eth(ETH_P_IPV6, udp6(53))),
  p("arp", arp()),
  p("runt", eth(ETH_P_IP, [0x45, 0, 0])),
];

export const CORPUS: BenchProgram[] = [
  {
    name: "parse_v4",
    type: "xdp",
    kind: "parser",
    packets: [
      ...MIX,
      p("udp4/9999", eth(ETH_P_IP, udp4(9999))),
      p("vlan tcp4/9999", tagged(ETH_P_IP, tcp4(9999))),
      p("tcp4/23 syn", eth(ETH_P_IP, tcp4(23, 0x02))),
      p("tcp4/23 ack", eth(ETH_P_IP, tcp4(23, 0x10))),
      p("ihl 6 udp", eth(ETH_P_IP, ipv4(UDP, udp(1, 9999), { ihl: 6 }))),
    ],
  },
  {
    name: "parse_v6",
    type: "xdp",
    kind: "parser",
    packets: [
      ...MIX,
      p("udp6/53 from 53", eth(ETH_P_IPV6, udp6(53, 53))),
      p("vlan tcp6/22", tagged(ETH_P_IPV6, tcp6(22))),
      p("tcp6/80", eth(ETH_P_IPV6, tcp6(80))),
      p("hop limit 1", eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2), 1))),
    ],
  },
  {
    name: "classify",
    type: "xdp",
    kind: "parser",
    packets: [
      ...MIX,
      p("tcp4/7", eth(ETH_P_IP, tcp4(7))),
      p("qinq udp6/7", tagged(ETH_P_8021Q, vlan(5, ETH_P_IPV6, udp6(7)))),
      p("icmp6", eth(ETH_P_IPV6, ipv6(ICMPV6, [128, 0, 0, 0, 0, 1, 0, 1]))),
      p("short tcp6", eth(ETH_P_IPV6, ipv6(TCP, [0, 1, 0, 7]))),
    ],
  },
  {
    name: "reflector",
    type: "xdp",
    kind: "rewrite",
    packets: [...MIX, p("udp4/7", eth(ETH_P_IP, udp4(7))), p("tcp4/7", eth(ETH_P_IP, tcp4(7)))],
  },
  {
    name: "ttl_dec",
    type: "xdp",
    kind: "rewrite",
    packets: [
      ...MIX,
      p("ttl 1", eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { ttl: 1 }))),
      p("ttl 255", eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { ttl: 255 }))),
    ],
  },
  {
    name: "csum_loop",
    type: "xdp",
    kind: "loop",
    packets: [
      ...MIX,
      p("bad checksum", badChecksum()),
      p("ihl 15", eth(ETH_P_IP, ipv4(TCP, tcp(1, 2), { ihl: 15 }))),
      // 16-bit halves that carry: a u16 + u16 sum that wraps would drop it.
      p("src 255.255.255.255", eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { src: [255, 255, 255, 255] }))),
    ],
  },
  {
    name: "payload_hash",
    type: "xdp",
    kind: "loop",
    packets: [
      ...MIX,
      ...[1, 2, 3, 4, 5].map((s) =>
        p(`payload ${s}`, eth(ETH_P_IP, udp4(9, { data: payload32(s) }))),
      ),
    ],
  },
  {
    name: "tcp_opts",
    type: "xdp",
    kind: "loop",
    packets: [
      ...MIX,
      p("mss 1460", tcpWithOptions([2, 4, 0x05, 0xb4])),
      p("nops, wscale, mss 536", tcpWithOptions([1, 1, 3, 3, 7, 1, 2, 4, 0x02, 0x18])),
      p("sack-ok, ts, no mss", tcpWithOptions([4, 2, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 0])),
      p("bad length", tcpWithOptions([1, 5, 1])),
    ],
  },
  {
    name: "helper_mix",
    type: "xdp",
    kind: "helpers",
    packets: [...MIX, p("ttl 128", eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { ttl: 128 })))],
  },
  {
    name: "subprogs",
    type: "xdp",
    kind: "calls",
    packets: [
      ...MIX,
      p("tcp4/8080", eth(ETH_P_IP, tcp4(8080))),
      p("vlan udp4/22", tagged(ETH_P_IP, udp4(22))),
      p("vlan udp4/80", tagged(ETH_P_IP, udp4(80))),
    ],
  },
  {
    name: "lwt_l2push",
    type: "lwt_xmit",
    kind: "helpers",
    packets: [p("udp4", eth(ETH_P_IP, udp4(53))), p("udp6", eth(ETH_P_IPV6, udp6(53)))],
  },
  {
    name: "blocklist",
    type: "xdp",
    kind: "map",
    setup: [{ map: "blocked", key: SRC_BLOCKED, value: [0, 0, 0, 0, 0, 0, 0, 0] }],
    packets: [
      ...MIX,
      p("blocked", eth(ETH_P_IP, udp4(53, { src: SRC_BLOCKED }))),
      p("vlan blocked", tagged(ETH_P_IP, udp4(53, { src: SRC_BLOCKED }))),
    ],
  },
  {
    name: "ratelimit",
    type: "xdp",
    kind: "map",
    packets: [
      ...[1, 2, 3, 4, 5].map((n) => p(`a #${n}`, eth(ETH_P_IP, udp4(53)))),
      p("b #1", eth(ETH_P_IP, udp4(53, { src: [10, 0, 0, 9] }))),
      p("arp", arp()),
    ],
  },
  {
    name: "flowtable",
    type: "xdp",
    kind: "map",
    packets: [
      ...[1, 2, 3, 4].map((n) => p(`flow a #${n}`, eth(ETH_P_IP, udp4(53)))),
      p("flow b #1", eth(ETH_P_IP, udp4(53, { sport: 999 }))),
      p("tcp flow", eth(ETH_P_IP, tcp4(80))),
      p("icmp", eth(ETH_P_IP, icmp4())),
    ],
  },
  { name: "counters", type: "xdp", kind: "map", packets: MIX },
  {
    name: "lwt_stats",
    type: "lwt_xmit",
    kind: "map",
    packets: [
      ...[1, 2, 3, 4, 5].map((n) => p(`udp #${n}`, eth(ETH_P_IP, udp4(53)))),
      p("tcp", eth(ETH_P_IP, tcp4(80))),
      p("icmp", eth(ETH_P_IP, icmp4())),
    ],
  },
];
