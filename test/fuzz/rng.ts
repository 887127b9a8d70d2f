// A small seeded PRNG (xorshift128+ over two u32 halves would do; mulberry32
// is enough and matches the runtime's seededRandom) with the draws every
// generator needs. The same seed gives the same programs, packets and
// mutations on every machine, so a reported seed reproduces a failure.

export class Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  u32(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: `[[w, value], ...]`. */
  weighted<T>(table: readonly (readonly [number, T])[]): T {
    let total = 0;
    for (const [w] of table) total += w;
    let r = this.u32() % total;
    for (const [w, v] of table) {
      if (r < w) return v;
      r -= w;
    }
    return table[table.length - 1]![1];
  }

  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** A seed for a child generator, so sub-streams stay independent of each other's draw counts. */
  fork(): Rng {
    return new Rng(this.u32());
  }
}

const EDGE_64 = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x1_0000_0000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xffffffffffffffffn,
  0xfffffffffffffffen,
  0xffffffff80000000n,
];

/** A 64-bit value biased towards the edges where arithmetic goes wrong. */
export function interesting64(rng: Rng): bigint {
  const r = rng.int(10);
  if (r < 4) return rng.pick(EDGE_64);
  if (r < 6) return BigInt(rng.range(-20, 20)) & 0xffffffffffffffffn;
  if (r < 8) return BigInt(rng.u32());
  return rng.u64();
}

/** A signed 32-bit immediate biased towards the edges. */
export function interesting32(rng: Rng): number {
  const r = rng.int(10);
  if (r < 3) return rng.pick([0, 1, -1, 2, 0x7fffffff, -0x80000000, 0x7f, -0x80, 0xffff, 0x8000]);
  if (r < 7) return rng.range(-64, 64);
  return rng.u32() | 0;
}
