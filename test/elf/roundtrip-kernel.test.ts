// Round trip through the kernel: read each clang-19 fixture, write its
// pieces back with writeObject (specFromObject), and check that bpftool
// (and ip, for XDP and LWT) loads the rewritten object with its BTF, and
// that BPF_PROG_TEST_RUN gives the same return value and output packet as
// the original object on the same input.

import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { readObject, writeObject } from "../../bpf/elf/index.js";
import {
  type ProgramType,
  ethernetFrame,
  loadWithBpftool,
  loadWithIp,
  testRun,
} from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { specFromObject } from "./roundtrip.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/clang");
const TYPES: Record<string, ProgramType> = {
  xdp: "xdp",
  lwt_xmit: "lwt_xmit",
  tc: "tc",
  socket: "socket",
};
const dir = mkdtempSync(join(tmpdir(), `tsbpf-rt-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IPv4/UDP frame to 10.1.2.3 with a few payload bytes. */
function frame(): Uint8Array {
  const ip = new Uint8Array(20 + 8 + 16);
  ip.set([0x45, 0, 0, ip.length, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 1, 2, 3]);
  ip.set([0x30, 0x39, 0x00, 0x35, 0, 24, 0, 0], 20);
  for (let i = 28; i < ip.length; i++) ip[i] = i;
  return ethernetFrame(ip);
}

async function runOnce(obj: string, type: ProgramType) {
  const h = await loadWithBpftool(obj, { type });
  try {
    expect(h.btfIgnored).toBe(false);
    const r = await testRun(h, { data: frame() });
    return { program: h.program.name, retval: r.retval, data: [...r.dataOut] };
  } finally {
    h.dispose();
  }
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".o"))
  .map((f) => f.slice(0, -2));

describeKernel("clang objects, read and written back, still load and compute the same", () => {
  for (const name of fixtures) {
    kernelTest(`${name}.o`, async () => {
      const original = join(FIXTURES, `${name}.o`);
      const obj = readObject(new Uint8Array(readFileSync(original)));
      const entry = obj.programs.find((p) => !p.subprogram)!;
      const type = TYPES[entry.section] ?? "xdp";
      const rewritten = join(dir, `${name}.o`);
      writeFileSync(rewritten, writeObject(specFromObject(obj)));

      const want = await runOnce(original, type);
      const got = await runOnce(rewritten, type);
      expect(got).toEqual(want);

      if (type === "xdp" || type === "lwt_xmit") {
        const hook = type as "xdp" | "lwt_xmit";
        const h = await loadWithIp(rewritten, { hook, section: entry.section });
        try {
          expect(h.btfIgnored).toBe(false);
          expect(h.candidateIds.length).toBeGreaterThanOrEqual(1);
        } finally {
          await h.dispose();
        }
      }
    });
  }
});
