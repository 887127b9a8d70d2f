// The integer types of tsbpf and the language's conversion rules, as the
// generator needs them: which implicit conversions compile (widening only:
// same signedness to a wider type, or unsigned to a strictly wider signed
// type) and literals that fit a type (a literal adopts its operand's type
// and must fit it, TSB2003).

import type { Rng } from "../rng.js";

export type IntT = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64";

export const INT_TYPES: readonly IntT[] = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];

export const bits = (t: IntT): number => Number(t.slice(1));
export const signed = (t: IntT): boolean => t[0] === "i";

/** Whether a value of type `from` converts implicitly (without `as`) to `to`. */
export function widensTo(from: IntT, to: IntT): boolean {
  if (from === to) return true;
  if (signed(from) === signed(to)) return bits(from) < bits(to);
  return !signed(from) && bits(from) < bits(to);
}

function range(t: IntT): [bigint, bigint] {
  const w = BigInt(bits(t));
  return signed(t) ? [-(1n << (w - 1n)), (1n << (w - 1n)) - 1n] : [0n, (1n << w) - 1n];
}

/** Source text of a literal that fits `t`: edges, small values, random bits; hex or decimal. */
export function literal(rng: Rng, t: IntT): string {
  const [lo, hi] = range(t);
  let v: bigint;
  const r = rng.int(10);
  if (r < 3) v = rng.pick([lo, hi, 0n, 1n, lo + 1n, hi - 1n, hi / 2n, hi / 2n + 1n]);
  else if (r < 7) v = BigInt(rng.range(-9, 9));
  else v = rng.u64() & ((1n << BigInt(bits(t))) - 1n);
  if (v < lo || v > hi) {
    // Fold into range: unsigned wrap, or keep the low bits as a signed value.
    const w = BigInt(bits(t));
    v = ((v % (1n << w)) + (1n << w)) % (1n << w);
    if (signed(t) && v > hi) v -= 1n << w;
  }
  if (v < 0n) return `(${v})`;
  return v > 9n && rng.chance(0.5) ? `0x${v.toString(16)}` : v.toString();
}

/** A shift count valid for a value of `t` (0 .. width-1). */
export function shiftCount(rng: Rng, t: IntT): number {
  return rng.chance(0.3) ? rng.pick([0, 1, bits(t) - 1]) : rng.int(bits(t));
}
