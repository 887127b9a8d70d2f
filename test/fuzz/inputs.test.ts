// The ELF and compiler campaigns in CI: a fixed number of inputs from a
// fixed seed through the sandbox (no crash expected beyond the ones on
// record in regressions/*/known.json), plus the sandbox's own behaviour on
// a hang, a heap blow-up and a throw, so a broken watchdog shows here.

import { describe, expect, it } from "vitest";
import { compilerCampaign } from "./compiler/campaign.js";
import { hugeInputs, loadSeeds, mutateTokens, tokenize } from "./compiler/inputs.js";
import { elfCampaign } from "./elf/campaign.js";
import { mutateElf } from "./elf/mutate.js";
import { Rng } from "./rng.js";
import { knownFailures } from "./regressions.js";
import { Sandbox } from "./sandbox.js";

const quiet = { save: false, log: () => {} };

/** Findings not on record in regressions/<dir>/known.json (those are replayed as it.fails). */
function unknownFindings(dir: "compiler" | "elf", findings: string[]): string[] {
  const known = Object.values(knownFailures(dir));
  return findings.filter((f) => {
    const line = f.replace(/\d+/g, "#");
    return !known.some((k) => (k === "hang" ? f.startsWith("hang") : line.includes(k)));
  });
}

describe("ELF reader and loader fuzzing", () => {
  it("mutations are deterministic for a seed", () => {
    const seed = new Uint8Array(256).map((_, i) => i);
    const a = mutateElf(new Rng(3), seed, seed);
    const b = mutateElf(new Rng(3), seed, seed);
    expect(a).toEqual(b);
  });

  it("300 damaged objects: every one read or refused with ElfError/LoadError", async () => {
    const s = await elfCampaign({ compiledSeeds: 1 }).run({
      ...quiet,
      seed: 11,
      deadline: Date.now() + 100_000,
      limit: 300,
    });
    expect(unknownFindings("elf", s.findings)).toEqual([]);
    expect(s.inputs).toBe(300);
  }, 120_000);
});

describe("compiler input fuzzing", () => {
  it("tokenizer keeps every character", () => {
    for (const p of loadSeeds().programs) expect(tokenize(p.text).join("")).toBe(p.text);
  });

  it("mutations are deterministic for a seed", () => {
    const { programs, vocabulary } = loadSeeds();
    const a = mutateTokens(new Rng(5), programs[0]!.text, vocabulary);
    expect(mutateTokens(new Rng(5), programs[0]!.text, vocabulary)).toBe(a);
  });

  it("the pathological shapes reach the promised sizes", () => {
    const names = hugeInputs(1).map((h) => h.name);
    expect(names).toContain("statements-10000");
    expect(names).toContain("parens-1000");
  });

  it("12 mutated programs and token soups compile or give diagnostics", async () => {
    const s = await compilerCampaign({ hugeScale: 0.02 }).run({
      ...quiet,
      seed: 3,
      deadline: Date.now() + 170_000,
      limit: 12,
    });
    expect(unknownFindings("compiler", s.findings)).toEqual([]);
    expect(s.inputs).toBe(12);
  }, 180_000);
});

describe("sandbox", () => {
  it("turns a hang, a heap blow-up and a throw into outcomes and restarts the target", async () => {
    const box = new Sandbox("selftest", { timeoutMs: 1000, heapMb: 64 });
    try {
      expect((await box.run("hi")).kind).toBe("ok");
      expect((await box.run("hang")).kind).toBe("hang");
      expect(await box.run("again")).toMatchObject({ kind: "ok", detail: "again" });
      const oom = await box.run("oom");
      expect(oom.kind === "crash" || oom.kind === "hang").toBe(true);
      expect(await box.run("after")).toMatchObject({ kind: "ok", detail: "after" });
      expect(await box.run("throw")).toMatchObject({ kind: "crash" });
      expect(box.restarts).toBe(3);
    } finally {
      box.dispose();
    }
  }, 60_000);
});
