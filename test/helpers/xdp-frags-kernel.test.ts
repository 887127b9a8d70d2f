// Multi-buffer XDP under BPF_PROG_TEST_RUN: packets of 4-9 KB (and more)
// split into a linear part and page-sized frags in the kernel and in the
// runtime; buffer length, loads and stores across the boundary, tail growth
// and shrinking, and data_out (linear part then frags) must agree.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { XDP_FRAGS_C } from "./diff-frags.c.js";
import { diffObject, type DiffObject } from "./diff.js";

/** A `len`-byte frame with the parameters at bytes 14..21 (big-endian u16s). */
function packet(len: number, tail1: number, load: number, store: number, tail2 = 0): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (i * 7 + (i >> 8)) & 0xff;
  f[12] = 0x08;
  f[13] = 0;
  const u16 = (at: number, v: number) => {
    f[at] = (v >> 8) & 0xff;
    f[at + 1] = v & 0xff;
  };
  u16(14, tail1 & 0xffff);
  u16(16, load);
  u16(18, store);
  u16(20, tail2 & 0xffff);
  return f;
}

const CASES: [string, Uint8Array][] = [
  ["4000 bytes, loads and stores across the boundary", packet(4000, 0, 3510, 3500)],
  ["6000 bytes, grow the last frag", packet(6000, 100, 3600, 5990)],
  ["9000 bytes, shrink through a frag", packet(9000, -5000, 4090, 7600)],
  ["9000 bytes, grow past the page", packet(9000, 3000, 8000, 8990, -200)],
  ["5000 bytes, shrink into the linear part", packet(5000, -1480, 0, 100, -10)],
  ["5000 bytes, shrink too far", packet(5000, -4990, 4900, 4990)],
  ["8192 bytes, out-of-range load", packet(8192, -3, 8180, 100, 5)],
  ["3520 bytes (linear only)", packet(3520, 1, 3400, 3490, -2)],
  ["3521 bytes (one byte in a frag)", packet(3521, -1, 3497, 3497, 4)],
  ["20000 bytes", packet(20000, -8000, 12000, 16000, 50)],
];

describeKernel(
  "XDP frags: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("xdp_frags", XDP_FRAGS_C, "xdp", ["out"]);
    });
    afterAll(() => obj?.dispose());

    kernelTest(`frags: ${CASES.length} packets agree`, async () => {
      for (const [what, p] of CASES) {
        const k = await obj.kernel("frags", p);
        const r = obj.runtime("frags", p);
        expect.soft(r, what).toEqual(k);
      }
    });

    kernelTest("a plain xdp program sees frags too", async () => {
      const p = packet(7000, 0, 0, 0);
      const k = await obj.kernel("plain", p);
      expect(k.maps.out!.slice(0, 2)).toEqual(["581b000000000000", "c00d000000000000"]);
      expect(obj.runtime("plain", p)).toEqual(k);
    });
  },
  { tools: ["clang-19"] },
);
