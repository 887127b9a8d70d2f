// The generated-program campaign's parts: the generator is deterministic
// for a seed and its sources compile (a refusal is a generator or compiler
// bug, named in the failure), the minimizer shrinks while a predicate
// holds, and (kernel-gated) a few sources compare kernel vs interpreter
// with no verifier refusal and no disagreement.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as prettier from "prettier";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { describeKernel } from "../kernel/kernel-test.js";
import { programCampaign } from "./program/campaign.js";
import { generateSource } from "./program/generator.js";
import { minimizeSource } from "./program/minimize.js";
import { render, type GenSource } from "./program/source.js";
import { jsonFormat, saveProgramRegression } from "./regressions.js";
import { Rng } from "./rng.js";

describe("tsbpf program generator", () => {
  it("is deterministic for a seed", () => {
    const a = render(generateSource(new Rng(11), "t"));
    expect(render(generateSource(new Rng(11), "t"))).toBe(a);
    expect(render(generateSource(new Rng(12), "t"))).not.toBe(a);
  });

  it("writes sources the compiler accepts", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const text = render(generateSource(new Rng(seed), `t${seed}`, { programsPerSource: 3 }));
      const r = compile({ fileName: "gen.ts", text });
      expect(
        r.diagnostics.map((d) => formatDiagnostic(d)),
        text,
      ).toEqual([]);
      expect(r.object).toBeDefined();
    }
  }, 120_000);

  it("minimizes while the failure persists", async () => {
    const src = generateSource(new Rng(5), "m", { programsPerSource: 1 });
    const count = (s: GenSource) => JSON.stringify(s).length;
    // A stand-in failure: the program still declares a map or an interface.
    const fails = async (c: GenSource) => /interface /.test(render(c));
    const { source } = await minimizeSource(src, fails, { timeMs: 30_000 });
    expect(await fails(source)).toBe(true);
    expect(count(source)).toBeLessThan(count(src));
    expect(source.units[0]!.items).toHaveLength(1);
  });
});

describe("saved findings", () => {
  it("are JSON as prettier formats it (npx prettier --check . passes after a run that saved)", async () => {
    const root = mkdtempSync(join(tmpdir(), "tsbpf-saved-"));
    try {
      const source = render(generateSource(new Rng(7), "f", { programsPerSource: 1 }));
      const file = await saveProgramRegression(
        {
          failure: "disagreement",
          found: "program.test.ts",
          summary: "map f_m1 differs",
          program: "fp0",
          source,
          packets: ["00112233445566778899aabbccddeeff0011", "ff"],
          kernel: { retval: 2, packet: "00", maps: { m: [["00000000", "01000000"]] } },
          interpreter: { retval: 2, packet: "00", maps: { m: [] } },
        },
        root,
      );
      const text = readFileSync(file, "utf8");
      expect(await prettier.check(text, await jsonFormat(file))).toBe(true);
      expect(JSON.parse(text).source).toBe(source);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describeKernel("tsbpf program campaign, kernel vs interpreter", () => {
  it("compares a few fixed-seed sources without a finding", async () => {
    const stats = await programCampaign({ programsPerSource: 3 }).run({
      seed: 20261122,
      deadline: Date.now() + 120_000,
      limit: 3,
      save: false,
      log: () => {},
    });
    expect(stats.findings).toEqual([]);
    expect(stats.programs).toBe(9);
    expect(stats.packets).toBeGreaterThan(0);
    expect(stats.agreements).toBe(stats.packets);
  }, 240_000);
});
