// Fuzzing: random instruction sequences (valid opcodes with random fields,
// so they get past decoding and exercise the semantics) and random bytes.
// run() must always return a result, never throw. Seeded, so reproducible.

import { describe, expect, it } from "vitest";
import { createVm } from "../../runtime/vm/index.js";
import { HELPERS, program, rng } from "./fuzz-gen.js";

function runOnce(code: Uint8Array, next: () => number) {
  const vm = createVm({ code, helpers: HELPERS, budget: 2000 });
  const memory = vm.mem.addRegion("memory", new Uint8Array(next() % 64));
  const result = vm.run({ args: [memory.ptr, BigInt(next() % 64), 0n, 0n, 0n] });
  return result;
}

describe("fuzz", () => {
  it("100,000 random instruction sequences never throw", () => {
    const next = rng(0x5eed);
    const seen = { ok: 0, fault: 0 };
    for (let k = 0; k < 100_000; k++) {
      const code = program(next, 2 + (next() % 14));
      const result = runOnce(code, next);
      if (result.ok) seen.ok++;
      else seen.fault++;
    }
    // Both outcomes occur: the sequences get past decoding and do things.
    expect(seen.ok).toBeGreaterThan(1000);
    expect(seen.fault).toBeGreaterThan(1000);
  });

  it("20,000 random byte strings never throw", () => {
    const next = rng(42);
    for (let k = 0; k < 20_000; k++) {
      const bytes = new Uint8Array(next() % 120);
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
      const result = runOnce(bytes, next);
      expect(typeof result.ok).toBe("boolean");
    }
  });
});
