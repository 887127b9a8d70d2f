// The packets every comparison runs: valid IPv4 TCP/UDP/ICMP, IPv6, VLAN,
// ARP (an odd protocol), truncated frames, a bare Ethernet header (nothing
// beyond it; test_run's minimum), an 802.3 length frame and a larger frame.
// Each is a full frame from the Ethernet header on, as data_in takes it.

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
} from "../compiler/packets.js";

/** The 64-byte IPv4/TCP frame of test/fixtures/clang/README.md ("ipv4_tcp_64"). */
export const IPV4_TCP_64 = Uint8Array.from(
  Buffer.from(
    "020000000002020000000001080045000032000100004006000" +
      "0c00002020a01020304d200500000000100000000500220000000000000000000000000000000",
    "hex",
  ),
);

export interface NamedPacket {
  name: string;
  bytes: Uint8Array;
}

const bytes = (a: number[]) => Uint8Array.from(a);

export const PACKETS: readonly NamedPacket[] = [
  { name: "ipv4_tcp_64", bytes: IPV4_TCP_64 },
  {
    name: "ipv4_udp",
    bytes: bytes(eth(ETH_P_IP, ipv4(UDP, udp(5353, 53, [1, 2, 3, 4, 5, 6, 7, 8])))),
  },
  { name: "ipv4_icmp", bytes: bytes(eth(ETH_P_IP, ipv4(ICMP, [8, 0, 0xf7, 0xff, 0, 0, 0, 0]))) },
  {
    name: "ipv4_options_tcp",
    bytes: bytes(eth(ETH_P_IP, ipv4(TCP, tcp(80, 443, 0x12), { ihl: 7 }))),
  },
  { name: "ipv6_tcp", bytes: bytes(eth(ETH_P_IPV6, ipv6(TCP, tcp(1000, 22)))) },
  { name: "ipv6_udp", bytes: bytes(eth(ETH_P_IPV6, ipv6(UDP, udp(1, 2, [9, 9])))) },
  {
    name: "vlan_ipv4_udp",
    bytes: bytes(eth(ETH_P_8021Q, vlan(5, ETH_P_IP, ipv4(UDP, udp(7, 7))))),
  },
  {
    name: "arp",
    bytes: bytes(eth(ETH_P_ARP, [0, 1, 8, 0, 6, 4, 0, 1, ...Array<number>(20).fill(0)])),
  },
  { name: "truncated_ipv4", bytes: IPV4_TCP_64.slice(0, 30) },
  { name: "truncated_ipv6", bytes: bytes(eth(ETH_P_IPV6, ipv6(TCP, tcp(1, 2)))).slice(0, 40) },
  { name: "eth_only", bytes: IPV4_TCP_64.slice(0, 14) },
  { name: "ieee802_3_len", bytes: bytes(eth(0x0030, Array<number>(48).fill(0xaa))) },
  {
    name: "ipv4_udp_600",
    bytes: bytes(
      eth(
        ETH_P_IP,
        ipv4(
          UDP,
          udp(
            1234,
            4321,
            Array.from({ length: 558 }, (_, i) => i & 0xff),
          ),
        ),
      ),
    ),
  },
];
