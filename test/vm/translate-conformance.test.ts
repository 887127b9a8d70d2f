// The bpf_conformance suite through the translating tier: every case must
// pass, and give the same result as the reference interpreter (r0 or the
// fault's kind, pc and region, and the instruction count).
// Skipped when the suite's data is absent.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFORMANCE_HELPERS, loadCases, parseHex } from "../../runtime/conformance/suite.js";
import { createVm, type VmTier } from "../../runtime/vm/index.js";
import { outcome } from "./tiers.js";

const DATA = resolve(import.meta.dirname, "../../../shared/data/bpf_conformance/assembled.json");
const present = existsSync(DATA);
if (!present) console.log(`SKIPPED: ${DATA} not found`);

function run(tier: VmTier, program: Uint8Array, memory: Uint8Array) {
  const vm = createVm({ code: program, helpers: CONFORMANCE_HELPERS, tier });
  const region = vm.mem.addRegion("memory", memory.slice(), { name: "memory" });
  return vm.run({ args: [region.ptr, BigInt(memory.length)] });
}

describe.skipIf(!present)("bpf_conformance through the translating tier", () => {
  it("passes all 313 cases, agreeing with the interpreter", () => {
    const cases = loadCases(DATA);
    expect(cases.length).toBe(313);
    const failed: string[] = [];
    const differ: string[] = [];
    for (const c of cases) {
      const program = parseHex(c.program);
      const memory = parseHex(c.memory);
      const expected = BigInt.asUintN(32, BigInt(c.result));
      const t = run("translate", program, memory);
      if (!t.ok || BigInt.asUintN(32, t.r0) !== expected) failed.push(c.name);
      const i = run("interpret", program, memory);
      if (JSON.stringify(outcome(i)) !== JSON.stringify(outcome(t))) differ.push(c.name);
    }
    expect(failed).toEqual([]);
    expect(differ).toEqual([]);
  });
});
