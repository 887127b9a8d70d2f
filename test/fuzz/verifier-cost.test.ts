// Saved fuzz findings that the verifier once refused as "too large", held to
// what clang-19 makes of the same program: each regressions/program/c/<name>.c
// is the finding's program written as C by hand. Both objects are loaded and
// the verifier's processed-instruction counts compared. The two "BPF program
// is too large" findings needed over 1,000,000 with tsbpf (its layout walked
// the constant-keeping paths first, so nothing pruned) and about 15,000-17,000
// with clang; a layout or optimizer change that brings the blow-up back fails
// here long before the 1,000,000 limit. A finding whose status is "generator"
// is the program's own: clang-19's object is refused as too large as well,
// and the test says so (when a kernel prunes better and clang's object
// loads, the finding is tsbpf's again and the test fails to say that).

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { compile } from "../../compiler/index.js";
import { loadWithBpftool, run } from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { loadProgramRegressions } from "./regressions.js";

/** tsbpf may walk this many times clang's instructions (measured: 2.8x and 4.1x). */
const MAX_RATIO = 8;

const PIN_ROOT = "/sys/fs/bpf";
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

/**
 * What the verifier said when it refused `obj`, or undefined when it loaded. Plain bpftool
 * (no -d): libbpf prints the refused program's log tail, where -d would print a million lines.
 */
async function refusal(obj: string, pinDir: string): Promise<string | undefined> {
  try {
    const r = await run("bpftool", ["prog", "loadall", obj, pinDir, "type", "xdp"], {
      okCodes: [0, 255],
      timeoutMs: 120_000,
    });
    return r.code === 0 ? undefined : r.stderr;
  } finally {
    await run("rm", ["-rf", pinDir]);
  }
}

const TOO_LARGE = /BPF program is too large\. Processed 1000001 insn/;

describeKernel(
  "fuzz findings: verifier cost against clang-19's object for the same C",
  () => {
    let build: CBuildDir | undefined;
    afterAll(() => build?.dispose());
    /** The finding's tsbpf object and clang-19's object for its C translation. */
    async function objects(file: string, source: string) {
      build ??= cBuildDir();
      const name = file.replace(/\.json$/, "");
      const r = compile({ fileName: "gen.ts", text: source });
      expect(r.diagnostics.map((d) => d.message)).toEqual([]);
      const tsbpf = join(build.dir, `${name}.tsbpf.o`);
      writeFileSync(tsbpf, r.object!);
      const cSource = readFileSync(join(C_DIR, `${name}.c`), "utf8");
      const clang = await build.compile(name, cSource, [`-I${C_DIR}`]);
      return { name, tsbpf, clang };
    }
    kernelTest("every C translation belongs to a saved finding", () => {
      expect(cases.length).toBe(withC.size);
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const { file, reg } of cases) {
      if (reg.status === "generator") {
        kernelTest(
          `${file}: the program's own limit: clang-19's object is refused as too large too`,
          async () => {
            const o = await objects(file, reg.source);
            const pin = (side: string) => join(PIN_ROOT, `${o.name}-${side}-${process.pid}`);
            expect(await refusal(o.clang, pin("clang"))).toMatch(TOO_LARGE);
            expect(await refusal(o.tsbpf, pin("tsbpf"))).toMatch(TOO_LARGE);
          },
          { tools: ["clang-19"], timeout: 300_000 },
        );
        continue;
      }
      kernelTest(
        `${file}: within ${MAX_RATIO}x clang's processed instructions`,
        async () => {
          const o = await objects(file, reg.source);
          const clang = await processedInsns(o.clang, reg.program);
          const tsbpf = await processedInsns(o.tsbpf, reg.program);
          console.log(`${file}: verifier processed ${tsbpf} (tsbpf) / ${clang} (clang-19)`);
          expect(tsbpf).toBeLessThanOrEqual(clang * MAX_RATIO);
        },
        { tools: ["clang-19"], timeout: 120_000 },
      );
    }
  },
  { tools: ["clang-19"] },
);
