// Differential test of the XDP helpers and kfuncs: the programs of
// diff-xdp.c.ts run in the kernel (BPF_PROG_TEST_RUN) and in the runtime on
// the same packets; return value, data_out and map contents must agree.
// Kernel-gated: prints SKIPPED without root, bpftool or clang-19.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { XDP_HELPERS_C } from "./diff-xdp.c.js";
import { diffObject, type DiffObject } from "./diff.js";

/** An Ethernet/IPv4-ish frame whose bytes from offset 14 on are `body`. */
function frame(body: number[], len = 64): Uint8Array {
  const f = new Uint8Array(len);
  f[12] = 0x08;
  for (let i = 14; i < len; i++) f[i] = (i * 7) & 0xff;
  f.set(body, 14);
  return f;
}

const CASES: Record<string, Uint8Array[]> = {
  csum_diff: [frame([0x45, 0, 0, 0x54, 1, 2, 3, 4]), frame([0xff, 0xff, 0xff, 0xff]), frame([])],
  adjust: [
    frame([2, 8, 0, 1]),
    frame([-3 & 0xff, 4, 14, 0]),
    frame([-12 & 0xff, 40, -20 & 0xff, 0]),
    frame([200, 2, 0, 0]),
    frame([0, 36, -240 & 0xff, 1]),
    frame([0, 0, 100, 0], 200),
  ],
  load_store: [frame([20, 4, 0]), frame([60, 7, 2]), frame([62, 4, 0]), frame([0, 8, 63])],
  loops: [frame([0]), frame([5]), frame([30])],
  strs_fmt: [frame([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0, 1, 2]), frame([0x61, 0x62, 0, 0, 0, 0, 0, 0])],
  dynptrs: [frame([1, 2, 3, 4]), frame([9, 9], 100)],
  redirects: [frame([3, 0]), frame([7, 1]), frame([0, 0])],
  mtu_fib: [frame([])],
};

describeKernel(
  "XDP helpers: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("xdp_helpers", XDP_HELPERS_C, "xdp", ["out", "strs"]);
    });
    afterAll(() => obj?.dispose());

    for (const [program, packets] of Object.entries(CASES)) {
      kernelTest(`${program}: ${packets.length} packets agree`, async () => {
        for (const [i, packet] of packets.entries()) {
          const k = await obj.kernel(program, packet);
          const r = obj.runtime(program, packet);
          expect.soft(r, `${program} packet ${i}`).toEqual(k);
          // The comparison is only worth something if the helpers left results.
          expect(k.maps.out!.some((v) => /[^0]/.test(v))).toBe(true);
        }
      });
    }
  },
  { tools: ["clang-19"] },
);
