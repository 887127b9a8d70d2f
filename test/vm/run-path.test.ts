// The per-packet path of program.run(): the context's word table (aligned
// u32 loads answered without the load hook) must give what the hook gives,
// before and after the packet changes shape; repeat runs must report what
// single runs report, on every tier; and a packet run with `repeat`
// allocates nothing per packet once warm (heap deltas of calls of 10,000
// packets each, and the growth over 200,000 packets after a full GC).

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { gc } from "./expose-gc.js";
import { loadObject } from "../../runtime/index.js";
import { createRunContext, type RunContext } from "../../runtime/context/index.js";
import { Memory, WORD_BYTES, WORD_HOOK, WORD_VALUE } from "../../runtime/vm/memory.js";
import type { VmTier } from "../../runtime/vm/index.js";
import { IPV4_TCP_64, PACKETS } from "../runtime/packets.js";

const fixture = (name: string) => join(import.meta.dirname, "../fixtures/clang", `${name}.o`);

function context(progType: "xdp" | "lwt_xmit", contextName: string): RunContext {
  const r = createRunContext(new Memory(), {
    progType,
    contextName,
    frame: IPV4_TCP_64,
    loopbackIfindex: 1,
  });
  if (typeof r === "string") throw new Error(r);
  return r;
}

/** Every word the table answers, checked against the load hook (the reference). */
function checkWords(rc: RunContext): number {
  const region = rc.ctx.region;
  const words = region.access!.words!;
  let answered = 0;
  for (let at = 0; at < words.length; at += 3) {
    const kind = words[at]!;
    expect([WORD_HOOK, WORD_VALUE, WORD_BYTES]).toContain(kind);
    if (kind === WORD_HOOK) continue;
    const offset = (at / 3) * 4;
    const hook = region.access!.load!(offset, 4)!;
    const fromTable =
      kind === WORD_VALUE
        ? (BigInt(words[at + 2]! >>> 0) << 32n) | BigInt(words[at + 1]! >>> 0)
        : BigInt(
            new DataView(region.bytes.buffer, region.bytes.byteOffset).getUint32(offset, true),
          );
    expect(fromTable, `word at ctx+${offset}`).toBe(hook);
    answered++;
  }
  return answered;
}

describe("context word table", () => {
  for (const [progType, name, field] of [
    ["xdp", "XdpContext", "rx_queue_index"],
    ["lwt_xmit", "LwtXmitContext", "mark"],
  ] as const) {
    it(`${progType}: answers what the load hook answers, also after the packet moves`, () => {
      const rc = context(progType, name);
      expect(checkWords(rc)).toBeGreaterThan(2);
      // A helper moving data (adjust_head) re-registers the packet: new pointers.
      const before = rc.ctx.get("data");
      expect(rc.packet.setBounds({ data: rc.packet.data + 4 })).toBe(true);
      expect(rc.ctx.get("data")).not.toBe(before);
      checkWords(rc);
      rc.ctx.set(field, 0x1234n);
      checkWords(rc);
    });
  }
});

const TIERS: VmTier[] = ["interpret", "translate", "auto"];

describe("repeat runs", () => {
  for (const tier of TIERS) {
    it(`${tier}: repeat reports what a single run does, packet by packet`, () => {
      const single = loadObject(fixture("xdp_basic"), { tier }).program("xdp_basic");
      const repeated = loadObject(fixture("xdp_basic"), { tier }).program("xdp_basic");
      for (const { bytes: packet } of PACKETS) {
        const a = single.run({ packet });
        const b = repeated.run({ packet, repeat: 1000 });
        expect(b.instructions).toBe(a.instructions * 1000);
        expect({ ...b, instructions: 0 }).toEqual({ ...a, instructions: 0 });
      }
    });
  }
});

describe.skipIf(gc === undefined)("allocation per packet", () => {
  for (const tier of TIERS) {
    it(`${tier}: nothing allocated per packet with repeat`, { timeout: 120_000 }, () => {
      const collect = gc!;
      const program = loadObject(fixture("xdp_basic"), { tier }).program("xdp_basic");
      const packet = IPV4_TCP_64;
      program.run({ packet, repeat: 50_000 });
      // Batches of one call each, 10,000 packets per call: a call's own
      // set-up and result (a few KB) is under a byte per packet. A batch with
      // a scavenge in it shows a negative delta and is dropped.
      const perPacket: number[] = [];
      const keptPerPhase: number[] = [];
      // Two phases of 200,000 packets. Heap kept after a full GC in one phase
      // can be V8's own one-time growth (optimized code and feedback for the
      // translated functions, which V8 recompiles in the background: a CI
      // run once saw 247 KB). A leak grows the heap in every phase, so the
      // smaller of the two is what is checked.
      for (let phase = 0; phase < 2; phase++) {
        collect();
        const before = process.memoryUsage().heapUsed;
        for (let batch = 0; batch < 20; batch++) {
          const h0 = process.memoryUsage().heapUsed;
          const r = program.run({ packet, repeat: 10_000 });
          const delta = process.memoryUsage().heapUsed - h0;
          expect(r.action).toBe("XDP_PASS");
          if (delta >= 0) perPacket.push(delta / 10_000);
        }
        collect();
        keptPerPhase.push(process.memoryUsage().heapUsed - before);
      }
      const kept = Math.min(...keptPerPhase);
      perPacket.sort((a, b) => a - b);
      const estimate = perPacket[perPacket.length >> 1] ?? NaN;
      console.log(
        `${tier}: about ${estimate.toFixed(2)} bytes allocated per packet; ` +
          `heap growth per 200,000 packets after GC: ${keptPerPhase.join(", ")} bytes`,
      );
      // A BigInt, an object or an array per packet would be 16 bytes or more;
      // a leak of a third of a byte per packet would keep 64 KB in each phase.
      expect(perPacket.length).toBeGreaterThan(10);
      expect(estimate).toBeLessThan(4);
      expect(kept).toBeLessThan(64 * 1024);
    });
  }
});
