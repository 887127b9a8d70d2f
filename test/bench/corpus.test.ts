// The bench corpus in quick mode (no timing): every pair has both sources,
// clang-19 builds the C, tsbpf builds the TypeScript unless the program is
// listed as not compiled yet, and in the kernel both objects pass the
// verifier and return the same values and data_out on the packet set.
// Kernel-gated (prints SKIPPED without root, bpftool or clang-19).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CORPUS, CORPUS_DIR } from "../../bench/corpus.js";
import { compareOnPackets, loadProgram } from "../../bench/lib/kernel.js";
import { buildPair } from "../../bench/lib/objects.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

describe("bench corpus", () => {
  it("has at least 12 pairs, each with a .ts and a .c", () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(12);
    for (const p of CORPUS) {
      expect(existsSync(join(CORPUS_DIR, `${p.name}.ts`)), p.name).toBe(true);
      expect(existsSync(join(CORPUS_DIR, `${p.name}.c`)), p.name).toBe(true);
      expect(p.packets.length, p.name).toBeGreaterThan(0);
    }
  });
});

describeKernel(
  "bench corpus in the kernel",
  () => {
    const outDir = mkdtempSync(join(tmpdir(), "tsbpf-bench-test-"));
    afterAll(() => rmSync(outDir, { recursive: true, force: true }));
    for (const prog of CORPUS) {
      kernelTest(
        `${prog.name}: both verify and agree on ${prog.packets.length} packets`,
        async () => {
          const pair = buildPair(prog.name, outDir);
          if (!pair.c.ok) throw new Error(`clang-19 failed on ${prog.name}.c: ${pair.c.error}`);
          const c = await loadProgram(pair.c.path, prog);
          try {
            // Every corpus program compiles: a refusal is a regression.
            if (!pair.ts.ok)
              throw new Error(`tsbpf no longer compiles ${prog.name}: ${pair.ts.error}`);
            const ts = await loadProgram(pair.ts.path, prog);
            try {
              const agreement = await compareOnPackets(prog, ts, c);
              expect(agreement.differences).toEqual([]);
            } finally {
              ts.handle.dispose();
            }
          } finally {
            c.handle.dispose();
          }
        },
        { tools: ["clang-19"], timeout: 120_000 },
      );
    }
  },
  { tools: ["clang-19"] },
);
