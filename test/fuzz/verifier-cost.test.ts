// Saved fuzz findings that the verifier once refused as "too large", held to
// what clang-19 makes of the same program: each regressions/program/c/<name>.c
// is the finding's program written as C by hand. Both objects are loaded and
// the verifier's processed-instruction counts compared. The two "BPF program
// is too large" findings needed over 1,000,000 with tsbpf (its layout walked
// the constant-keeping paths first, so nothing pruned) and about 15,000-17,000
// with clang; a layout or optimizer change that brings the blow-up back fails
// here long before the 1,000,000 limit.

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { compile } from "../../compiler/index.js";
import { loadWithBpftool } from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { loadProgramRegressions } from "./regressions.js";

/** tsbpf may walk this many times clang's instructions (measured: 2.8x and 4.1x). */
const MAX_RATIO = 8;

const C_DIR = join(import.meta.dirname, "regressions", "program", "c");
const withC = new Set(readdirSync(C_DIR).filter((f) => f.endsWith(".c")));
const cases = loadProgramRegressions().filter(({ file }) =>
  withC.has(file.replace(/\.json$/, ".c")),
);

async function processedInsns(obj: string, program: string): Promise<number> {
  const handle = await loadWithBpftool(obj, { type: "xdp", programName: program });
  try {
    const n = handle.verifierProcessedInsns;
    if (n === undefined) throw new Error(`${obj}: the verifier log has no processed count`);
    return n;
  } finally {
    handle.dispose();
  }
}

describeKernel(
  "fuzz findings: verifier cost against clang-19's object for the same C",
  () => {
    let build: CBuildDir | undefined;
    afterAll(() => build?.dispose());
    kernelTest("every C translation belongs to a saved finding", () => {
      expect(cases.length).toBe(withC.size);
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const { file, reg } of cases) {
      kernelTest(
        `${file}: within ${MAX_RATIO}x clang's processed instructions`,
        async () => {
          build ??= cBuildDir();
          const name = file.replace(/\.json$/, "");
          const r = compile({ fileName: "gen.ts", text: reg.source });
          expect(r.diagnostics.map((d) => d.message)).toEqual([]);
          const tsObj = join(build.dir, `${name}.tsbpf.o`);
          writeFileSync(tsObj, r.object!);
          const cSource = readFileSync(join(C_DIR, `${name}.c`), "utf8");
          const cObj = await build.compile(name, cSource, [`-I${C_DIR}`]);
          const clang = await processedInsns(cObj, reg.program);
          const tsbpf = await processedInsns(tsObj, reg.program);
          console.log(`${file}: verifier processed ${tsbpf} (tsbpf) / ${clang} (clang-19)`);
          expect(tsbpf).toBeLessThanOrEqual(clang * MAX_RATIO);
        },
        { tools: ["clang-19"], timeout: 120_000 },
      );
    }
  },
  { tools: ["clang-19"] },
);
