// Expectations for every program under test/fixtures/compiler/programs: the
// program type, and packets with the return value (and output bytes) the
// kernel's BPF_PROG_TEST_RUN must give. Packets start at the Ethernet header
// for both XDP and LWT (the kernel strips it for LWT).

import {
  ETH_P_8021Q,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  ICMP,
  TCP,
  UDP,
  csum16,
  eth,
  ipv4,
  ipv6,
  tcp,
  udp,
  vlan,
} from "./packets.js";

export interface Run {
  name: string;
  packet: number[];
  retval: number;
  /** Expected data_out (for LWT: after the 14 zero bytes the kernel puts back). */
  out?: number[];
  check?: (out: Uint8Array) => void;
}

export interface ProgramCase {
  file: string;
  type: "xdp" | "lwt_xmit" | "lwt_in" | "lwt_out" | "tc";
  /** Which program of the object (default: the only one). */
  program?: string;
  /** Its section, for ip (default: "xdp" / "lwt_xmit"). */
  section?: string;
  runs: Run[];
}

const PASS = 2;
const DROP = 1;
const TX = 3;
const ABORTED = 0;
const BPF_OK = 0;
const BPF_DROP = 2;

const udp4 = (dport: number) => eth(ETH_P_IP, ipv4(UDP, udp(1234, dport, [1, 2, 3, 4])));
const tcp4 = (dport: number, flags = 0x02) => eth(ETH_P_IP, ipv4(TCP, tcp(4321, dport, flags)));
const icmp4 = () => eth(ETH_P_IP, ipv4(ICMP, [8, 0, 0, 0, 0, 1, 0, 1]));
const payload = (bytes: number[]) => eth(0x88b5, bytes);

/** IPv4/TCP with these option bytes; the data offset covers them unless given. */
function tcpWithOptions(opts: number[], doff = 5 + Math.ceil(opts.length / 4)): number[] {
  const t = tcp(4321, 80);
  t[12] = doff << 4;
  return eth(ETH_P_IP, ipv4(TCP, [...t, ...opts]));
}

function swapMacs(p: number[]): number[] {
  return [...p.slice(6, 12), ...p.slice(0, 6), ...p.slice(12)];
}

/** data_out of an XDP run starts at data_meta: its first bytes are the metadata. */
function metaIs(out: Uint8Array, want: number[]): void {
  const got = [...out.subarray(0, want.length)];
  if (got.join() !== want.join()) throw new Error(`metadata ${got} (want ${want})`);
}

function ipChecksumOk(ip: Uint8Array): boolean {
  return csum16([...ip.subarray(0, (ip[0]! & 0x0f) * 4)]) === 0;
}

export const CASES: ProgramCase[] = [
  {
    file: "lwt_in_ttl.ts",
    type: "lwt_in",
    runs: [
      { name: "ttl 64", packet: udp4(1), retval: BPF_OK },
      { name: "ttl 1", packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { ttl: 1 })), retval: BPF_DROP },
    ],
  },
  {
    file: "lwt_out_mark.ts",
    type: "lwt_out",
    runs: [
      { name: "udp", packet: udp4(1), retval: BPF_OK },
      { name: "tcp", packet: tcp4(1), retval: BPF_OK },
    ],
  },
  {
    file: "tc_classify.ts",
    type: "tc",
    runs: [
      { name: "telnet", packet: tcp4(23), retval: 2 },
      { name: "http", packet: tcp4(80), retval: 0 },
      { name: "udp/23", packet: udp4(23), retval: 0 },
    ],
  },
  {
    file: "spill_pressure.ts",
    type: "xdp",
    runs: [{ name: "sum", packet: udp4(1), retval: PASS }],
  },
  {
    file: "two_programs.ts",
    type: "xdp",
    program: "first",
    runs: [{ name: "queue 0", packet: udp4(1), retval: PASS }],
  },
  {
    file: "two_programs.ts",
    type: "xdp",
    program: "second",
    section: "xdp.frags",
    runs: [{ name: "drop", packet: udp4(1), retval: DROP }],
  },
  {
    file: "variable_offset.ts",
    type: "xdp",
    runs: [
      { name: "vxlan port", packet: udp4(4789), retval: DROP },
      {
        name: "vxlan port, options",
        packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 4789), { ihl: 7 })),
        retval: DROP,
      },
      { name: "other port", packet: udp4(53), retval: PASS },
      {
        name: "bad ihl",
        packet: eth(ETH_P_IP, [0x43, ...ipv4(UDP, udp(1, 4789)).slice(1)]),
        retval: DROP,
      },
    ],
  },
  {
    file: "adjust_head_fail.ts",
    type: "xdp",
    runs: [{ name: "no headroom", packet: udp4(1), retval: DROP }],
  },
  { file: "pass.ts", type: "xdp", runs: [{ name: "any", packet: udp4(9), retval: PASS }] },
  {
    file: "eth_proto.ts",
    type: "xdp",
    runs: [
      { name: "udp/9", packet: udp4(9), retval: DROP },
      { name: "udp/10", packet: udp4(10), retval: PASS },
      { name: "tcp/9", packet: tcp4(9), retval: PASS },
      {
        name: "udp/9 with options",
        packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 9), { ihl: 6 })),
        retval: DROP,
      },
      { name: "short", packet: eth(ETH_P_IP, [0x45, 0]), retval: PASS },
    ],
  },
  {
    file: "drop_arp.ts",
    type: "xdp",
    runs: [
      { name: "arp", packet: eth(ETH_P_ARP, Array(28).fill(0)), retval: DROP },
      { name: "ip", packet: udp4(1), retval: PASS },
    ],
  },
  {
    file: "let_offset.ts",
    type: "xdp",
    runs: [
      { name: "udp 7", packet: udp4(7), retval: DROP },
      { name: "udp 8", packet: udp4(8), retval: PASS },
      {
        name: "vlan, udp 7, options",
        packet: eth(ETH_P_8021Q, vlan(0x2064, ETH_P_IP, ipv4(UDP, udp(1, 7), { ihl: 6 }))),
        retval: DROP,
      },
      { name: "tcp 7", packet: tcp4(7), retval: PASS },
    ],
  },
  {
    file: "printk.ts",
    type: "xdp",
    runs: [
      { name: "ipv4: 25 bytes printed", packet: udp4(1), retval: DROP },
      {
        name: "ipv6: 26 bytes printed",
        packet: eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2))),
        retval: PASS,
      },
    ],
  },
  {
    file: "vlan.ts",
    type: "xdp",
    runs: [
      {
        name: "vlan 100",
        packet: eth(ETH_P_8021Q, vlan(0x2064, ETH_P_IP, ipv4(UDP, udp(1, 2)))),
        retval: DROP,
      },
      {
        name: "vlan 101",
        packet: eth(ETH_P_8021Q, vlan(0x2065, ETH_P_IP, ipv4(UDP, udp(1, 2)))),
        retval: PASS,
      },
      { name: "untagged", packet: udp4(1), retval: PASS },
    ],
  },
  {
    file: "ipv6_hoplimit.ts",
    type: "xdp",
    runs: [
      { name: "hop 1", packet: eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2), 1)), retval: DROP },
      { name: "hop 64", packet: eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2), 64)), retval: PASS },
      { name: "ipv4", packet: udp4(1), retval: PASS },
    ],
  },
  {
    file: "tcp_syn.ts",
    type: "xdp",
    runs: [
      { name: "syn/22", packet: tcp4(22, 0x02), retval: DROP },
      { name: "synack/22", packet: tcp4(22, 0x12), retval: PASS },
      { name: "syn/80", packet: tcp4(80, 0x02), retval: PASS },
      { name: "udp/22", packet: udp4(22), retval: PASS },
    ],
  },
  {
    file: "swap_mac_tx.ts",
    type: "xdp",
    runs: [{ name: "swap", packet: udp4(1), retval: TX, out: swapMacs(udp4(1)) }],
  },
  {
    file: "ttl_decrement.ts",
    type: "xdp",
    runs: [
      {
        name: "ttl 64",
        packet: udp4(1),
        retval: TX,
        check: (out) => {
          if (out[14 + 8] !== 63) throw new Error(`ttl ${out[22]}`);
          if (!ipChecksumOk(out.subarray(14))) throw new Error("bad IPv4 checksum");
        },
      },
      { name: "ttl 1", packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { ttl: 1 })), retval: DROP },
    ],
  },
  {
    file: "loop_offset.ts",
    type: "xdp",
    runs: [
      { name: "udp 7", packet: udp4(7), retval: DROP },
      { name: "udp 8", packet: udp4(8), retval: PASS },
      {
        name: "one tag, udp 7",
        packet: eth(ETH_P_8021Q, vlan(0x2064, ETH_P_IP, ipv4(UDP, udp(1, 7)))),
        retval: DROP,
      },
      {
        name: "two tags, options, udp 7",
        packet: eth(
          ETH_P_8021Q,
          vlan(0x2064, ETH_P_8021Q, vlan(0x2065, ETH_P_IP, ipv4(UDP, udp(1, 7), { ihl: 7 }))),
        ),
        retval: DROP,
      },
      {
        name: "two tags, udp 8",
        packet: eth(ETH_P_8021Q, vlan(1, ETH_P_8021Q, vlan(2, ETH_P_IP, ipv4(UDP, udp(1, 8))))),
        retval: PASS,
      },
      {
        name: "three tags",
        packet: eth(
          ETH_P_8021Q,
          vlan(1, ETH_P_8021Q, vlan(2, ETH_P_8021Q, vlan(3, ETH_P_IP, ipv4(UDP, udp(1, 7))))),
        ),
        retval: PASS,
      },
      { name: "tcp 7", packet: tcp4(7), retval: PASS },
      {
        name: "udp header cut",
        packet: eth(ETH_P_IP, ipv4(UDP, [0, 1, 0, 7])),
        retval: ABORTED,
      },
    ],
  },
  {
    file: "option_walk.ts",
    type: "xdp",
    runs: [
      { name: "mss 0x05b4", packet: tcpWithOptions([2, 4, 0x05, 0xb4]), retval: TX },
      {
        name: "nop nop mss 0x0300",
        packet: tcpWithOptions([1, 1, 2, 4, 3, 0, 0, 0]),
        retval: DROP,
      },
      { name: "no options", packet: tcpWithOptions([]), retval: PASS },
      {
        name: "timestamps, then mss",
        packet: tcpWithOptions([8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 5, 0, 0, 0]),
        retval: TX,
      },
      { name: "end of options", packet: tcpWithOptions([0, 0, 0, 0]), retval: PASS },
      { name: "length 1", packet: tcpWithOptions([3, 1, 0, 0]), retval: ABORTED },
      { name: "cut after a nop", packet: tcpWithOptions([1], 6), retval: ABORTED },
    ],
  },
  {
    file: "array_index.ts",
    type: "xdp",
    runs: [
      {
        name: "payload inverted",
        packet: udp4(9).concat([1, 2, 3, 4]),
        retval: TX,
        check: (out) => {
          // udp4 carries the payload 1, 2, 3, 4; the 4 bytes appended follow it.
          const got = [...out.subarray(42, 50)].join();
          const want = [1, 2, 3, 4, 1, 2, 3, 4].map((b) => ~b & 0xff).join();
          if (got !== want) throw new Error(`payload ${got} (want ${want})`);
          if ([...out.subarray(50)].length !== 0) throw new Error("packet grew");
        },
      },
      {
        name: "bad checksum",
        packet: (() => {
          const p = udp4(9).concat([1, 2, 3, 4]);
          p[24] = p[24]! ^ 0x10;
          return p;
        })(),
        retval: DROP,
      },
      { name: "payload too short", packet: udp4(9), retval: PASS },
      { name: "tcp", packet: tcp4(9), retval: PASS },
    ],
  },
  {
    file: "ipv4_checksum_loop.ts",
    type: "xdp",
    runs: [
      {
        name: "rewrite",
        packet: udp4(1),
        retval: TX,
        check: (out) => {
          if (out.subarray(30, 34).join(".") !== "10.0.0.99")
            throw new Error(`daddr ${out.subarray(30, 34).join(".")}`);
          if (!ipChecksumOk(out.subarray(14))) throw new Error("bad IPv4 checksum");
        },
      },
    ],
  },
  {
    file: "ctx_fields.ts",
    type: "xdp",
    runs: [{ name: "queue 0", packet: udp4(1), retval: PASS }],
  },
  { file: "arith64.ts", type: "xdp", runs: [{ name: "checks", packet: udp4(1), retval: PASS }] },
  { file: "signed32.ts", type: "xdp", runs: [{ name: "checks", packet: udp4(1), retval: PASS }] },
  { file: "narrowing.ts", type: "xdp", runs: [{ name: "checks", packet: udp4(1), retval: PASS }] },
  {
    file: "logic.ts",
    type: "xdp",
    runs: [
      { name: "3: small odd", packet: payload([3]), retval: DROP },
      { name: "200", packet: payload([200]), retval: DROP },
      { name: "4", packet: payload([4]), retval: PASS },
      { name: "6: small even", packet: payload([6]), retval: TX },
      { name: "50", packet: payload([50]), retval: PASS },
    ],
  },
  {
    file: "switch_proto.ts",
    type: "xdp",
    runs: [
      { name: "tcp", packet: tcp4(80), retval: PASS },
      { name: "udp", packet: udp4(80), retval: DROP },
      { name: "icmp", packet: icmp4(), retval: TX },
      { name: "gre", packet: eth(ETH_P_IP, ipv4(47, [0, 0, 8, 0])), retval: ABORTED },
    ],
  },
  {
    file: "loop_sum.ts",
    type: "xdp",
    runs: [
      // 3 * (b0+b1+b2+b3) + 3 * b15
      { name: "odd: 33", packet: payload([1, 2, 3, 4, ...Array(11).fill(0), 1]), retval: DROP },
      { name: "even: 36", packet: payload([1, 2, 3, 5, ...Array(11).fill(0), 1]), retval: PASS },
      { name: "short", packet: payload([1]), retval: PASS },
    ],
  },
  {
    file: "subprograms.ts",
    type: "xdp",
    runs: [
      { name: "ipv4", packet: udp4(1), retval: PASS },
      { name: "arp", packet: eth(ETH_P_ARP, Array(28).fill(0)), retval: PASS },
    ],
  },
  {
    // Functions too large to inline, called twice: the BPF-to-BPF calls stay.
    file: "calls_kept.ts",
    type: "xdp",
    runs: [{ name: "hash of the ethertype", packet: udp4(1), retval: PASS }],
  },
  {
    file: "stack_chain_limit.ts",
    type: "xdp",
    runs: [{ name: "chain of 256 + 256 stack bytes", packet: udp4(1), retval: PASS }],
  },
  { file: "helpers_time.ts", type: "xdp", runs: [{ name: "sane", packet: udp4(1), retval: PASS }] },
  {
    file: "adjust_head.ts",
    type: "xdp",
    runs: [
      { name: "ipv4", packet: udp4(1), retval: PASS, out: udp4(1).slice(14) },
      { name: "ipv6", packet: eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2))), retval: DROP },
    ],
  },
  {
    file: "ctx_methods.ts",
    type: "xdp",
    runs: [
      { name: "ipv4", packet: udp4(1), retval: TX, out: udp4(1).slice(14, -2) },
      { name: "ipv6", packet: eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2))), retval: DROP },
    ],
  },
  {
    file: "adjust_tail.ts",
    type: "xdp",
    runs: [{ name: "trim", packet: udp4(1), retval: PASS, out: udp4(1).slice(0, -4) }],
  },
  { file: "adjust_meta.ts", type: "xdp", runs: [{ name: "meta", packet: udp4(1), retval: PASS }] },
  {
    file: "meta_view.ts",
    type: "xdp",
    // data_out starts at data_meta: 4 bytes of metadata (host order), then the packet.
    runs: [
      {
        name: "udp: protocol in the metadata",
        packet: udp4(1),
        retval: PASS,
        check: (out) => {
          metaIs(out, [UDP, 0, 0, 0]);
          if (out.length !== udp4(1).length + 4 || out.subarray(4).some((b, i) => b !== udp4(1)[i]))
            throw new Error("packet after the metadata changed");
        },
      },
      {
        name: "tcp: protocol in the metadata",
        packet: tcp4(80),
        retval: PASS,
        check: (out) => metaIs(out, [TCP, 0, 0, 0]),
      },
      {
        name: "arp: 0xffffffff",
        packet: eth(ETH_P_ARP, new Array(28).fill(0)),
        retval: PASS,
        check: (out) => metaIs(out, [255, 255, 255, 255]),
      },
    ],
  },
  { file: "redirect.ts", type: "xdp", runs: [{ name: "redirect", packet: udp4(1), retval: 4 }] },
  {
    file: "saddr_match.ts",
    type: "xdp",
    runs: [
      { name: "from 10.0.0.1", packet: udp4(1), retval: DROP },
      {
        name: "from 10.0.0.5",
        packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { src: [10, 0, 0, 5] })),
        retval: PASS,
      },
      {
        name: "to 10.0.0.66",
        packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 2), { src: [10, 0, 0, 5], dst: [10, 0, 0, 66] })),
        retval: DROP,
      },
    ],
  },
  {
    file: "lwt_pass.ts",
    type: "lwt_xmit",
    runs: [{ name: "any", packet: udp4(1), retval: BPF_OK }],
  },
  {
    file: "lwt_drop_udp.ts",
    type: "lwt_xmit",
    runs: [
      { name: "udp/53", packet: udp4(53), retval: BPF_DROP },
      { name: "udp/54", packet: udp4(54), retval: BPF_OK },
      { name: "tcp/53", packet: tcp4(53), retval: BPF_OK },
    ],
  },
  {
    file: "lwt_mark.ts",
    type: "lwt_xmit",
    runs: [{ name: "mark", packet: udp4(1), retval: BPF_OK }],
  },
  {
    file: "lwt_change_head.ts",
    type: "lwt_xmit",
    runs: [
      {
        name: "push l2",
        packet: udp4(1),
        retval: BPF_OK,
        check: (out) => {
          const l2 = [
            ...out.subarray(
              out.length - udp4(1).length + 14 - 14,
              out.length - udp4(1).length + 14,
            ),
          ];
          const want = [2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a, 8, 0];
          if (l2.join() !== want.join()) throw new Error(`pushed header ${l2.join()}`);
        },
      },
    ],
  },
  {
    file: "lwt_l3csum.ts",
    type: "lwt_xmit",
    runs: [
      {
        name: "ttl 1",
        packet: udp4(1),
        retval: BPF_OK,
        check: (out) => {
          const ip = out.subarray(out.length - (udp4(1).length - 14));
          if (ip[8] !== 1) throw new Error(`ttl ${ip[8]}`);
          if (!ipChecksumOk(ip)) throw new Error("bad IPv4 checksum");
        },
      },
    ],
  },
];
