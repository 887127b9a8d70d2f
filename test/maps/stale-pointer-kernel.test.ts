// A map value pointer kept across updates and deletes of hash maps, kernel vs
// interpreter. Preallocated hash maps recycle their elements (a replacing
// update of BPF_MAP_TYPE_HASH swaps with the CPU's spare element, a delete
// pushes the element on the CPU's freelist, the next insert pops it), so a
// pointer from an earlier lookup reads and writes whichever key owns that
// memory by then. Each program below takes such a pointer, runs a sequence
// of updates/deletes/lookups chosen by the packet's bytes, then reads and
// writes through the old pointer; after every packet r0, the packet and
// every entry of every map must be the kernel's (BPF_PROG_TEST_RUN on CPU
// 0, test/fuzz/kernel-fast; the interpreter on CPU 0). Found by the fuzzer:
// test/fuzz/regressions/program/disagreement-a7bbdca8cc2a.json.

import { afterAll, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { FastKernel } from "../fuzz/kernel-fast/client.js";
import { compareObject, describeProgramDifference } from "../fuzz/program/differential.js";
import { Rng } from "../fuzz/rng.js";
import { describeKernel } from "../kernel/kernel-test.js";

const MAPS = ["HashMap", "PerCpuHash", "LruHash", "LruPerCpuHash"] as const;
const OP_BYTES = ["c", "d", "e", "f", "g", "h"];

/** One program per map class: a pointer from a lookup, six packet-chosen operations, then use the pointer. */
function programFor(cls: (typeof MAPS)[number], i: number): string {
  const m = `m${i}`;
  const steps = OP_BYTES.map(
    (f) => `
  {
    const op: u8 = (o.${f} >> 2) & 3;
    const k: u32 = (o.${f} & 3) as u32;
    if (op === 0) ${m}.update(k, ((o.${f} as u64) << 8) + 7);
    else if (op === 1) ${m}.delete(k);
    else if (op === 2) ${m}.update(k, (o.${f} as u64) + 0x5000, BPF_NOEXIST);
    else {
      const q = ${m}.lookup(k);
      if (q) q.value += 1;
    }
  }`,
  ).join("");
  return `
const ${m} = new ${cls}<u32, u64>({ maxEntries: ${i % 2 === 0 ? 4 : 3} });
const out${i} = new ArrayMap<u64>({ maxEntries: 2 });
export const stale${i} = xdp((ctx) => {
  const o = ctx.header<Ops>(0);
  if (!o) return XdpAction.ABORTED;
  const k0: u32 = (o.a & 3) as u32;
  if (o.b & 1) ${m}.update(k0, (o.b as u64) + 0x100);
  const p = ${m}.lookup(k0);
  if (!p) return XdpAction.DROP;
  ${steps}
  const seen: u64 = p.value;
  p.value = seen + 0x1000000 + (o.b as u64);
  out${i}.update(0, seen);
  return XdpAction.PASS;
});
`;
}

const SOURCE = `import { xdp, XdpAction, HashMap, PerCpuHash, LruHash, LruPerCpuHash, ArrayMap, BPF_NOEXIST } from "tsbpf";

interface Ops { a: u8; b: u8; c: u8; d: u8; e: u8; f: u8; g: u8; h: u8; }
${MAPS.map((cls, i) => programFor(cls, i)).join("")}`;

describeKernel(
  "hash map value pointers kept across updates and deletes: kernel vs interpreter",
  () => {
    const fast = new FastKernel();
    afterAll(() => fast.dispose());

    it("every packet leaves the same maps, r0 and packet on both sides", async () => {
      const r = compile({ fileName: "stale.ts", text: SOURCE });
      expect(r.diagnostics.map((d) => d.code)).toEqual([]);
      const rng = new Rng(20261122);
      // Packets whose first bytes pick keys 0-3 and operations; state carries over from packet to packet.
      const packets = Object.fromEntries(
        MAPS.map((_, i) => [`stale${i}`, Array.from({ length: 120 }, () => rng.bytes(40))]),
      );
      const res = await compareObject(fast, r.object!, packets);
      expect(res.refused).toBeUndefined();
      const d = res.disagreements[0];
      expect(
        d &&
          `${d.program} packet ${d.packet}: ${describeProgramDifference(d.kernel, d.interpreter)}`,
      ).toBeUndefined();
      expect(res.packets).toBe(MAPS.length * 120);
    }, 120_000);
  },
);
