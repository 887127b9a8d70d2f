// Unit tests of examples/xdp_meta_mark.ts in the interpreter: the run's
// packet is data_out as BPF_PROG_TEST_RUN gives it for XDP, starting at
// data_meta, so the 4 bytes of metadata come first.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { arp, ping4, tcp4, udp4 } from "./support/packets.js";

const markOf = (out: Uint8Array) => new DataView(out.buffer, out.byteOffset).getUint32(0, true);

function marked(obj: ReturnType<typeof loadExample>, slot: number): bigint {
  const v = obj.maps.meta_stats!.getPerCpu(slot)!;
  return v.reduce((sum, b) => sum + new DataView(b.buffer, b.byteOffset).getBigUint64(0, true), 0n);
}

describe("xdp_meta_mark", () => {
  it("puts the IPv4 protocol in 4 bytes of metadata in front of the packet", () => {
    const obj = loadExample("xdp_meta_mark");
    const prog = obj.program("meta_mark");
    for (const [frame, proto] of [
      [tcp4(80), 6],
      [udp4(53), 17],
      [ping4(), 1],
      [arp(), 0],
    ] as const) {
      const r = prog.run({ packet: frame });
      expect(r.fault).toBeUndefined();
      expect(r.action).toBe("XDP_PASS");
      expect(r.packet.length).toBe(frame.length + 4);
      expect(markOf(r.packet)).toBe(proto);
      expect([...r.packet.subarray(4)]).toEqual([...frame]);
    }
    expect(marked(obj, 0)).toBe(4n);
    expect(marked(obj, 1)).toBe(0n);
  });
});
