// Unit tests of examples/xdp_proto_counters.ts in the interpreter, with two
// CPUs: each run adds to its CPU's slot of the per-CPU array.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { arp, eth, ETH_P_IPV6, ping4, tcp4, udp4 } from "./support/packets.js";

function counter(v: Uint8Array): [bigint, bigint] {
  const d = new DataView(v.buffer, v.byteOffset);
  return [d.getBigUint64(0, true), d.getBigUint64(8, true)];
}

describe("xdp_proto_counters", () => {
  it("counts packets and bytes per protocol on the CPU that saw them", () => {
    const obj = loadExample("xdp_proto_counters", { cpus: 2 });
    const prog = obj.program("count_protocols");
    const frames = {
      tcp: tcp4(80),
      udp: udp4(53),
      icmp: ping4(),
      v6: eth(ETH_P_IPV6, Array<number>(40).fill(0)),
      arp: arp(),
    };
    expect(prog.run({ packet: frames.tcp, cpu: 0 }).action).toBe("XDP_PASS");
    prog.run({ packet: frames.udp, cpu: 0 });
    prog.run({ packet: frames.udp, cpu: 1 });
    prog.run({ packet: frames.icmp, cpu: 1 });
    prog.run({ packet: frames.v6, cpu: 0 });
    prog.run({ packet: frames.arp, cpu: 1 });

    const stats = obj.maps.proto_stats!;
    const slot = (i: number) => stats.getPerCpu(i)!.map(counter);
    expect(slot(0)).toEqual([
      [1n, BigInt(frames.tcp.length)],
      [0n, 0n],
    ]);
    expect(slot(1)).toEqual([
      [1n, BigInt(frames.udp.length)],
      [1n, BigInt(frames.udp.length)],
    ]);
    expect(slot(2)).toEqual([
      [0n, 0n],
      [1n, BigInt(frames.icmp.length)],
    ]);
    expect(slot(3)).toEqual([
      [0n, 0n],
      [0n, 0n],
    ]);
    expect(slot(4)).toEqual([
      [1n, BigInt(frames.v6.length)],
      [0n, 0n],
    ]);
    expect(slot(5)).toEqual([
      [0n, 0n],
      [1n, BigInt(frames.arp.length)],
    ]);
  });
});
