// The interpreter on the bench corpus against the kernel, on both tiers and
// the way the bench times it: each program's tsbpf object loaded afresh in
// the kernel and in the runtime (map entries put in first), every packet of
// the set run in order once, then again with repeat 25 (BPF_PROG_TEST_RUN's
// repeat: the same packet and context, maps updated by every run, the last
// run's return value and data_out reported). Return values and data_out
// must be the kernel's. On the translating tier this covers the per-site
// helper calls (runtime/translate/helper-site.ts) and the run context kept
// from call to call.
//
// Reproduce: sudo npx vitest run test/bench/interp-corpus.test.ts

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { CORPUS, type BenchProgram } from "../../bench/corpus.js";
import { loadProgram, runPacket } from "../../bench/lib/kernel.js";
import { buildTsbpf } from "../../bench/lib/objects.js";
import { loadObject } from "../../runtime/index.js";
import type { VmTier } from "../../runtime/vm/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

const REPEAT = 25;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function compare(prog: BenchProgram, objPath: string, tier: VmTier): Promise<number> {
  const kernel = await loadProgram(objPath, prog);
  try {
    const obj = loadObject(objPath, { cpus: 1, tier });
    for (const s of prog.setup ?? []) {
      obj.maps[s.map]!.set(Uint8Array.from(s.key), Uint8Array.from(s.value));
    }
    const program = obj.program(prog.name);
    let compared = 0;
    for (const repeat of [1, REPEAT]) {
      for (const packet of prog.packets) {
        const k = await runPacket(kernel, prog, packet, repeat);
        const ours = program.run({ packet: Uint8Array.from(packet.bytes), repeat });
        const what = `${prog.name} (${tier}), ${packet.name}, repeat ${repeat}`;
        expect.soft(ours.fault?.message, what).toBeUndefined();
        expect
          .soft({ retval: ours.retval, packet: hex(ours.packet) }, what)
          .toEqual({ retval: k.retval, packet: hex(k.dataOut) });
        compared++;
      }
    }
    return compared;
  } finally {
    kernel.handle.dispose();
  }
}

describeKernel("bench corpus: interpreter vs kernel, both tiers, with repeat", () => {
  const outDir = mkdtempSync(join(tmpdir(), "tsbpf-interp-corpus-"));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));
  for (const prog of CORPUS) {
    kernelTest(
      prog.name,
      async () => {
        const built = buildTsbpf(prog.name, outDir);
        if (!built.ok) throw new Error(`tsbpf failed on ${prog.name}: ${built.error}`);
        for (const tier of ["interpret", "translate"] as const) {
          expect(await compare(prog, built.path, tier)).toBe(2 * prog.packets.length);
        }
      },
      { timeout: 240_000 },
    );
  }
});
