// The program generator's loop budget (program/stmts.ts LOOP_BRANCHES, measured by
// program/branches.ts): a loop's conditional points per iteration times its trips stay
// within it, so no generated loop multiplies the verifier's states past its limit. The
// finding that asked for it, verifier-801e58d321de (seed 20261132, source 395, program
// s395p13: a 5-trip do-while with 15 points), is past the limit with clang-19's object too
// (verifier-cost.test.ts); the same seed now writes that loop with 3 trips, and it loads.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { loadWithBpftool } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { loopsIn } from "./program/branches.js";
import { sourceStream } from "./program/campaign.js";
import { only, render } from "./program/source.js";
import { LOOP_BRANCHES } from "./program/stmts.js";

const SEED = 20261132;
const SOURCE = 395;
const PROGRAM = `s${SOURCE}p13`;

/** The campaign's source `SOURCE` under `SEED`, reduced to the finding's program. */
function findingProgram(): string {
  const generate = sourceStream(SEED);
  for (let n = 0; n < SOURCE; n++) generate(n);
  return render(only(generate(SOURCE).src, [PROGRAM]));
}

describe("fuzz generator: loop branch budget", () => {
  it("keeps every loop of two trips or more within LOOP_BRANCHES", () => {
    const generate = sourceStream(SEED);
    let loops = 0;
    let cut = 0;
    for (let n = 0; n < 40; n++) {
      for (const u of generate(n).src.units) {
        for (const l of loopsIn(u.items)) {
          loops++;
          if (l.trips > 1) expect(l.points * l.trips).toBeLessThanOrEqual(LOOP_BRANCHES);
          if (l.trips < l.drawn) cut++;
        }
      }
    }
    // Most loops are far from the budget: it cuts the heavy tail, not the campaign's loops.
    expect(loops).toBeGreaterThan(500);
    expect(cut).toBeGreaterThan(0);
    expect(cut / loops).toBeLessThan(0.1);
    console.log(`loop budget: ${cut} of ${loops} loops cut to fewer trips`);
  }, 60_000);

  it(`writes ${PROGRAM} of seed ${SEED} (verifier-801e58d321de) with a 3-trip do-while`, () => {
    const text = findingProgram();
    expect(text).toContain("} while (i22 < 4);");
  }, 60_000);
});

describeKernel("fuzz generator: loop branch budget, verified", () => {
  kernelTest(
    `${PROGRAM} of seed ${SEED} loads far below the verifier's limit`,
    async () => {
      const r = compile({ fileName: "gen.ts", text: findingProgram() });
      expect(r.diagnostics.map((d) => d.message)).toEqual([]);
      const dir = mkdtempSync(join(tmpdir(), "tsbpf-loop-budget-"));
      try {
        const obj = join(dir, "p.o");
        writeFileSync(obj, r.object!);
        const h = await loadWithBpftool(obj, { type: "xdp", programName: PROGRAM });
        h.dispose();
        // Measured 89,790 (Linux 6.18); with the drawn 5 trips it went past 1,000,000.
        expect(h.verifierProcessedInsns).toBeLessThan(250_000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    { timeout: 120_000 },
  );
});
