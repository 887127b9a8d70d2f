// Fuzzing: random instruction sequences (valid opcodes with random fields,
// so they get past decoding and exercise the semantics) and random bytes.
// run() must always return a result, never throw. Seeded, so reproducible.

import { describe, expect, it } from "vitest";
import { createVm, type HelperFn } from "../../runtime/vm/index.js";
import { invalidReason } from "../../runtime/vm/program.js";

/** xorshift32: small, fast, deterministic. */
function rng(seed: number) {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Opcodes that decode to something (with fields that make them valid). */
const VALID = Array.from({ length: 256 }, (_, op) => op).filter(
  (op) =>
    [0, 1, 8, 16, 32, 64, 0xe1, 0xf1, 0x100].some(
      (imm) => invalidReason(op, 1, 2, op === 0xbf ? 8 : 0, imm) === undefined,
    ) || op === 0x18,
);

const HELPERS = new Map<number, HelperFn>([
  [1, (vm, r1) => (vm.mem.regionOf(r1) ? r1 : 0n)],
  [5, (_vm, r1) => r1],
  [6, (vm, r1) => (vm.mem.read(r1, 4)[0] !== undefined ? 1n : 0n)],
]);

function program(next: () => number, slots: number): Uint8Array {
  const bytes = new Uint8Array(slots * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < slots; i++) {
    const r = next();
    const op = r % 16 === 0 ? next() & 0xff : VALID[r % VALID.length]!;
    const dst = next() % 11;
    const src = next() % 11;
    const pick = next() % 4;
    const off = pick === 0 ? (next() & 0xffff) - 0x8000 : (next() % 24) - 16;
    const imms = [next() | 0, (next() % 64) - 8, [16, 32, 64, 8, 0xe1, 0xf1, 1][next() % 7]!, 0];
    view.setUint8(i * 8, op);
    view.setUint8(i * 8 + 1, (src << 4) | dst);
    view.setInt16(i * 8 + 2, (op & 7) >= 5 || op === 0x85 ? (next() % (slots + 4)) - 2 : off, true);
    view.setInt32(i * 8 + 4, imms[next() % 4]!, true);
  }
  return bytes;
}

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
