// The fuzz tests' generator: a seeded RNG, random instruction sequences
// (valid opcodes with random fields, so they get past decoding and exercise
// the semantics) and the helpers those programs may call.

import type { HelperFn } from "../../runtime/vm/index.js";
import { invalidReason } from "../../runtime/vm/program.js";

/** xorshift32: small, fast, deterministic. */
export function rng(seed: number) {
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

export const HELPERS = new Map<number, HelperFn>([
  [1, (vm, r1) => (vm.mem.regionOf(r1) ? r1 : 0n)],
  [5, (_vm, r1) => r1],
  [6, (vm, r1) => (vm.mem.read(r1, 4)[0] !== undefined ? 1n : 0n)],
]);

export function program(next: () => number, slots: number): Uint8Array {
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
