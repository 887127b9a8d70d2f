// Interpreter vs kernel on every program the compiler's tests build
// (test/fixtures/compiler/programs): each object compiled once, loaded in
// the kernel (bpftool) and in the interpreter, then run on the program's own
// test packets and on the shared packet set (valid, truncated, odd
// protocols); return value and output packet must be equal. The kernel is
// the reference; the test's expectations are not consulted here.
//
// Reproduce: sudo npx vitest run test/runtime/compiler-compare.test.ts

import { expect } from "vitest";
import { loadObject } from "../../runtime/index.js";
import { loadWithBpftool } from "../../runtime/kernel/index.js";
import { CASES } from "../compiler/program-cases.js";
import { FIXTURES, buildObject } from "../compiler/compile-fixture.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { hex, kernelTestRun } from "./kernel-side.js";
import { PACKETS } from "./packets.js";

describeKernel("interpreter agrees with the kernel on compiled programs", () => {
  for (const c of CASES) {
    kernelTest(
      c.file,
      async () => {
        const { objPath } = buildObject(`${FIXTURES}/programs/${c.file}`);
        const handle = await loadWithBpftool(objPath, {
          type: c.type,
          ...(c.program ? { programName: c.program } : {}),
        });
        try {
          const prog = loadObject(objPath).program(handle.program.name);
          const packets = [
            ...c.runs.map((r) => ({ name: r.name, bytes: Uint8Array.from(r.packet) })),
            ...PACKETS,
          ];
          let compared = 0;
          for (const pkt of packets) {
            let kernel: { retval: number; packet: string } | "refused";
            try {
              const k = await kernelTestRun(handle.program.pinPath, pkt.bytes);
              kernel = { retval: k.retval, packet: hex(k.dataOut) };
            } catch {
              kernel = "refused"; // e.g. an skb program given a frame too short for its IP header
            }
            const ours = prog.run({ packet: pkt.bytes, cpu: 0 });
            const interp =
              ours.fault?.kind === "load"
                ? "refused"
                : ours.fault
                  ? { fault: ours.fault.message }
                  : { retval: ours.retval, packet: hex(ours.packet) };
            expect.soft(interp, `${c.file} / ${pkt.name}`).toEqual(kernel);
            compared++;
          }
          expect(compared).toBe(packets.length);
        } finally {
          handle.dispose();
        }
      },
      { timeout: 120_000 },
    );
  }
});
