// Differential test of the conntrack kfuncs (XDP) and the probe-read dynptr
// kfuncs (LWT): the programs of diff-conntrack.c.ts run in the kernel
// (BPF_PROG_TEST_RUN) and in the runtime; return value, data_out and the
// results each program stored must agree. Conntrack entries the kernel
// inserts stay in the host's table for a few seconds, so every run of this
// file uses tuples no earlier run used (a random 10.x.y.0/24 source).

import { randomInt } from "node:crypto";
import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { CONNTRACK_C, PROBE_DYNPTR_C } from "./diff-conntrack.c.js";
import { diffObject, type DiffObject } from "./diff.js";

const base = [10, randomInt(1, 255), randomInt(1, 255)];

/** A frame whose bytes 14..25 are the IPv4 tuple base.host:sport -> 10.9.8.7:80, byte 26 the NAT mode. */
function tuple(host: number, sport: number, mode: number): Uint8Array {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  f.set([...base, host, 10, 9, 8, 7, sport >> 8, sport & 0xff, 0, 80, mode], 14);
  return f;
}

describeKernel(
  "conntrack kfuncs: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("conntrack", CONNTRACK_C, "xdp", ["out"]);
    });
    afterAll(() => obj?.dispose());

    const packets = [
      ["no NAT", tuple(1, 40001, 0)],
      ["DNAT to an address", tuple(2, 40002, 1)],
      ["DNAT with a port", tuple(3, 40003, 3)],
      ["SNAT", tuple(4, 40004, 4)],
      ["DNAT and SNAT", tuple(5, 40005, 5)],
      ["the first tuple again (insert clashes)", tuple(1, 40001, 0)],
    ] as const;
    kernelTest(`ct: ${packets.length} packets agree`, async () => {
      for (const [what, packet] of packets) {
        const k = await obj.kernel("ct", packet);
        const r = obj.runtime("ct", packet);
        expect.soft(r, what).toEqual(k);
      }
      // The comparison is only worth something if the kfuncs left results.
      const k = await obj.kernel("ct", tuple(6, 40006, 1));
      expect(k.maps.out!.filter((v) => /[^0]/.test(v)).length).toBeGreaterThan(20);
    });
  },
  { tools: ["clang-19"] },
);

describeKernel(
  "probe-read dynptr kfuncs: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("probe_dynptr", PROBE_DYNPTR_C, "lwt_xmit", ["out", "bufm"]);
    });
    afterAll(() => obj?.dispose());

    /** Ethernet + IPv4-ish bytes; the first two bytes after Ethernet pick offset and length. */
    const packet = (off: number, len: number) => {
      const f = new Uint8Array(60);
      f[12] = 0x08;
      f.set([off, len, 0x45, 0], 14);
      return f;
    };
    const cases = [packet(0, 8), packet(20, 20), packet(33, 7), packet(35, 9), packet(2, 0)];
    kernelTest(`probe_dynptr: ${cases.length} packets agree`, async () => {
      for (const [i, p] of cases.entries()) {
        const k = await obj.kernel("probe_dynptr", p);
        const r = obj.runtime("probe_dynptr", p);
        expect.soft(r, `packet ${i}`).toEqual(k);
        expect(k.maps.out!.some((v) => /[^0]/.test(v))).toBe(true);
      }
    });
  },
  { tools: ["clang-19"] },
);
