// Unit tests of examples/lwt_dest_stats.ts in the interpreter: counters per
// destination, and every 4th packet described in the ring buffer.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { ipBytes, udp4 } from "./support/packets.js";

describe("lwt_dest_stats", () => {
  it("counts packets and bytes per destination and samples one packet in four", () => {
    const obj = loadExample("lwt_dest_stats");
    const prog = obj.program("dest_stats_prog");
    const toA = udp4(53, { src: "10.0.0.1", dst: "192.0.2.1", ttl: 9 });
    const toB = udp4(53, { src: "10.0.0.1", dst: "192.0.2.2", payload: Array<number>(50).fill(1) });
    for (let i = 0; i < 5; i++) expect(prog.run({ packet: toA }).action).toBe("BPF_OK");
    for (let i = 0; i < 3; i++) prog.run({ packet: toB });

    const stats = obj.maps.dest_stats!;
    const read = (dst: string) => {
      const v = stats.get(Uint8Array.from(ipBytes(dst)))!;
      const d = new DataView(v.buffer, v.byteOffset);
      return [d.getBigUint64(0, true), d.getBigUint64(8, true)];
    };
    // LWT sees the IP packet: skb->len excludes the Ethernet header.
    expect(read("192.0.2.1")).toEqual([5n, BigInt(5 * (toA.length - 14))]);
    expect(read("192.0.2.2")).toEqual([3n, BigInt(3 * (toB.length - 14))]);

    const samples = obj.maps.samples!.consume();
    expect(samples.length).toBe(2); // packets 1 and 5, both to 192.0.2.1
    const first = samples[0]!;
    expect([...first.subarray(0, 4)]).toEqual(ipBytes("10.0.0.1"));
    expect([...first.subarray(4, 8)]).toEqual(ipBytes("192.0.2.1"));
    expect(new DataView(first.buffer, first.byteOffset).getUint32(8, true)).toBe(toA.length - 14);
    expect([first[12], first[13]]).toEqual([17, 9]);
    expect([...samples[1]!.subarray(4, 8)]).toEqual(ipBytes("192.0.2.1"));
  });
});
