// The expectations of every program under test/fixtures/compiler-maps.

import { ETH_P_IP, UDP, eth, ipv4, udp } from "../compiler/packets.js";
import { le, type MapsCase } from "./harness.js";

const pktFrom = (src: number[], sport = 1000, dport = 53, payload: number[] = [1, 2, 3, 4]) =>
  eth(ETH_P_IP, ipv4(UDP, udp(sport, dport, payload), { src }));

export const CASES: MapsCase[] = [
  {
    file: "ip_counter.ts",
    type: "xdp",
    runs: [
      { name: "a", packet: pktFrom([10, 0, 0, 1]), retval: 2 },
      { name: "a again", packet: pktFrom([10, 0, 0, 1]), retval: 2 },
      { name: "b", packet: pktFrom([10, 0, 0, 9]), retval: 2 },
    ],
    maps: { counts: { "0a000001": le(2, 8), "0a000009": le(1, 8) } },
  },
  {
    file: "flow_table.ts",
    type: "xdp",
    runs: [
      { name: "flow 1", packet: pktFrom([10, 0, 0, 1], 1000, 53), retval: 2 },
      { name: "flow 1 again", packet: pktFrom([10, 0, 0, 1], 1000, 53), retval: 2 },
      { name: "flow 2", packet: pktFrom([10, 0, 0, 1], 1001, 53), retval: 2 },
    ],
    maps: {
      // key: saddr daddr sport dport proto + 3 zero padding bytes
      flows: {
        "0a0000010a00000203e8003511000000": [...le(2, 8), ...le(64, 8)],
        "0a0000010a00000203e9003511000000": [...le(1, 8), ...le(32, 8)],
      },
    },
  },
];
