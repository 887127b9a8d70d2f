// Differential fuzzing: the fuzz tests' 100,000 random instruction sequences
// and 20,000 random byte strings run through both tiers, which must agree
// on everything observable: r0 or the fault's kind, pc and region, the
// instruction count, and the bytes left in memory.

import { describe, expect, it } from "vitest";
import { createVm, type VmTier } from "../../runtime/vm/index.js";
import { HELPERS, program, rng } from "./fuzz-gen.js";
import { outcome } from "./tiers.js";

function runTier(tier: VmTier, code: Uint8Array, memory: Uint8Array, r2: bigint) {
  const vm = createVm({ code, helpers: HELPERS, budget: 2000, tier });
  const bytes = memory.slice();
  const region = vm.mem.addRegion("memory", bytes);
  const result = vm.run({ args: [region.ptr, r2, 0n, 0n, 0n] });
  return { ...outcome(result), memory: Buffer.from(bytes).toString("hex") };
}

function compare(code: Uint8Array, next: () => number) {
  const memory = new Uint8Array(next() % 64);
  for (let i = 0; i < memory.length; i++) memory[i] = next() & 0xff;
  const r2 = BigInt(next() % 64);
  const reference = runTier("interpret", code, memory, r2);
  const translated = runTier("translate", code, memory, r2);
  return { reference, translated, same: JSON.stringify(reference) === JSON.stringify(translated) };
}

describe("translating tier vs interpreter", () => {
  // Fifty parts of 2,000 (one generator throughout), each yielding to the
  // event loop first, so the worker answers vitest's RPC (which times out
  // after a minute) while the whole file runs for minutes on a loaded machine.
  const next = rng(0x5eed);
  const seen = { ok: 0, fault: 0 };
  for (let part = 0; part < 50; part++) {
    it(
      `agree on random instruction sequences ${part * 2_000}..${(part + 1) * 2_000 - 1}`,
      { timeout: 300_000 },
      async () => {
        // Let the worker's event loop answer vitest's RPC between parts.
        await new Promise((resolve) => setImmediate(resolve));
        for (let k = part * 2_000; k < (part + 1) * 2_000; k++) {
          const code = program(next, 2 + (next() % 14));
          const { reference, translated, same } = compare(code, next);
          if (!same) {
            const hex = Buffer.from(code).toString("hex");
            expect({ sequence: k, code: hex, ...translated }).toEqual({ sequence: k, code: hex, ...reference }); // prettier-ignore
          }
          if ("r0" in reference) seen.ok++;
          else seen.fault++;
        }
      },
    );
  }

  it("saw both outcomes often in the 100,000 sequences", () => {
    expect(seen.ok).toBeGreaterThan(1000);
    expect(seen.fault).toBeGreaterThan(1000);
  });

  it("agree on 20,000 random byte strings", { timeout: 300_000 }, () => {
    const bytesNext = rng(42);
    for (let k = 0; k < 20_000; k++) {
      const bytes = new Uint8Array(bytesNext() % 120);
      for (let i = 0; i < bytes.length; i++) bytes[i] = bytesNext() & 0xff;
      const { reference, translated, same } = compare(bytes, bytesNext);
      if (!same) expect({ sequence: k, ...translated }).toEqual({ sequence: k, ...reference });
    }
  });
});
