// Unit tests of examples/tc_meta_mark.ts in the interpreter, fed the way the
// kernel feeds it: examples/xdp_meta_mark.ts runs first, and its output (4
// bytes of metadata, then the frame) becomes the tc run's packet and skb
// metadata (RunInput.metadata; BPF_PROG_TEST_RUN cannot give a tc program
// metadata, so the marked path is checked against the kernel only by
// test/e2e/tc_meta_mark.test.ts, with real traffic).

import { describe, expect, it } from "vitest";
import type { TsbpfObject } from "../runtime/index.js";
import { loadExample } from "./support/build.js";
import { arp, ping4, tcp4, udp4 } from "./support/packets.js";

const TC_ACT_OK = 0;
const NO_METADATA = 256;

function packets(obj: TsbpfObject, slot: number): bigint {
  const v = obj.maps.tc_marks!.getPerCpu(slot)!;
  return v.reduce((sum, b) => sum + new DataView(b.buffer, b.byteOffset).getBigUint64(0, true), 0n);
}

describe("tc_meta_mark", () => {
  it("turns the mark XDP put in the metadata into skb->mark, counting per mark", () => {
    const xdp = loadExample("xdp_meta_mark").program("meta_mark");
    const obj = loadExample("tc_meta_mark");
    const prog = obj.program("meta_to_mark");
    for (const [frame, proto] of [
      [tcp4(80), 6],
      [udp4(53), 17],
      [udp4(7000), 17],
      [ping4(), 1],
      [arp(), 0],
    ] as const) {
      const first = xdp.run({ packet: frame });
      expect(first.action).toBe("XDP_PASS");
      const metadata = first.packet.subarray(0, 4);
      const r = prog.run({ packet: first.packet.subarray(4), metadata });
      expect(r.fault).toBeUndefined();
      expect(r.retval).toBe(TC_ACT_OK);
      expect(r.ctx.mark).toBe(BigInt(proto));
      expect([...r.packet]).toEqual([...frame]); // the packet itself is untouched
    }
    expect([6, 17, 1, 0].map((m) => packets(obj, m))).toEqual([1n, 2n, 1n, 1n]);
    expect(packets(obj, NO_METADATA)).toBe(0n);
  });

  it("counts packets without metadata and leaves their mark alone", () => {
    const obj = loadExample("tc_meta_mark");
    const r = obj.program("meta_to_mark").run({ packet: udp4(53), ctx: { mark: 5 } });
    expect(r.fault).toBeUndefined();
    expect(r.retval).toBe(TC_ACT_OK);
    expect(r.ctx.mark).toBe(5n);
    expect(packets(obj, NO_METADATA)).toBe(1n);
  });

  it("treats an empty metadata area as none, and refuses metadata XDP could not write", () => {
    const obj = loadExample("tc_meta_mark");
    const r = obj.program("meta_to_mark").run({ packet: udp4(53), metadata: new Uint8Array(0) });
    expect(r.retval).toBe(TC_ACT_OK);
    expect(packets(obj, NO_METADATA)).toBe(1n);
    const bad = obj.program("meta_to_mark").run({ packet: udp4(53), metadata: new Uint8Array(6) });
    expect(bad.fault?.kind).toBe("load"); // not something XDP can write: a multiple of 4
  });
});
