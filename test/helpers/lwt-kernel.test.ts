// Differential test of the LWT (lwt_xmit) helpers: the programs of
// diff-lwt.c.ts run in the kernel (BPF_PROG_TEST_RUN) and in the runtime on
// the same packets; return value, data_out and map contents must agree.
// Kernel-gated: prints SKIPPED without root, bpftool or clang-19.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { LWT_HELPERS_C } from "./diff-lwt.c.js";
import { diffObject, type DiffObject } from "./diff.js";

/** Ethernet + a 20-byte IPv4 header (valid checksum) + UDP header + payload; `at` patches bytes after the Ethernet header. */
function packet(patch: Record<number, number> = {}, payload = 24): Uint8Array {
  const ip = new Uint8Array(28 + payload);
  ip.set([0x45, 0, 0, 28 + payload, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 192, 0, 2, 7]);
  ip.set([0x30, 0x39, 0x00, 0x35, 0, 8 + payload, 0x12, 0x34], 20);
  for (let i = 28; i < ip.length; i++) ip[i] = (i * 13) & 0xff;
  let s = 0;
  for (let i = 0; i < 20; i += 2) s += (ip[i]! << 8) | ip[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  ip[10] = ~s >> 8;
  ip[11] = ~s & 0xff;
  for (const [k, v] of Object.entries(patch)) ip[Number(k)] = v;
  const f = new Uint8Array(14 + ip.length);
  f[12] = 0x08;
  f.set(ip, 14);
  return f;
}

const CASES: Record<string, Uint8Array[]> = {
  csum_replace: [
    packet(),
    packet({ 27: 0x20 }),
    packet({ 26: 0, 27: 0x20 }),
    packet({ 26: 0, 27: 0 }),
  ],
  change: [
    packet({ 20: 8, 21: 8, 22: 3 }),
    packet({ 20: 40, 21: 200, 22: 1 | 2 }),
    packet({ 20: 0, 21: 0, 22: 4 }),
    packet({ 20: 0, 21: 0, 22: 8 }),
    packet({ 20: 255, 21: 100, 22: 3 }, 600),
  ],
  bytes: [packet({ 20: 0, 21: 30 }), packet({ 20: 44, 21: 48 }), packet({ 20: 45, 21: 49 })],
  meta: [packet()],
};

describeKernel(
  "LWT helpers: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("lwt_helpers", LWT_HELPERS_C, "lwt_xmit", ["out"]);
    });
    afterAll(() => obj?.dispose());

    for (const [program, packets] of Object.entries(CASES)) {
      kernelTest(`${program}: ${packets.length} packets agree`, async () => {
        for (const [i, p] of packets.entries()) {
          const k = await obj.kernel(program, p);
          const r = obj.runtime(program, p);
          expect.soft(r, `${program} packet ${i}`).toEqual(k);
          // The comparison is only worth something if the helpers left results.
          expect(k.maps.out!.some((v) => /[^0]/.test(v))).toBe(true);
        }
      });
    }
  },
  { tools: ["clang-19"] },
);
