// jhash/jhash2 against Bob Jenkins' published lookup3 vectors (the kernel's
// jhash is hashlittle on little-endian machines); the bloom filter and hash
// map differential tests check them against the kernel itself.

import { describe, expect, it } from "vitest";
import { htabHash, jhash, jhash2 } from "../../runtime/maps/index.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("jhash", () => {
  it("matches lookup3's hashlittle vectors", () => {
    expect(jhash(new Uint8Array(0), 0)).toBe(0xdeadbeef);
    expect(jhash(text("Four score and seven years ago"), 0)).toBe(0x17770551);
    expect(jhash(text("Four score and seven years ago"), 1)).toBe(0xcd628161);
  });

  it("jhash2 over little-endian words equals jhash over the same bytes", () => {
    // Both start from INITVAL + byte length + seed and mix the same words.
    const k = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
    expect(jhash2(k, 7)).toBe(jhash(k, 7));
    expect(htabHash(k, 7)).toBe(jhash2(k, 7));
    expect(htabHash(k.subarray(0, 6), 7)).toBe(jhash(k.subarray(0, 6), 7));
  });

  it("returns u32s", () => {
    for (let i = 0; i < 50; i++) {
      const h = jhash(
        Uint8Array.from({ length: i }, (_, j) => j * 37),
        i,
      );
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
  });
});
