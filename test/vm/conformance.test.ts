// The bpf_conformance suite (../shared/data/bpf_conformance/assembled.json,
// relative to the repo root): every case in batch mode, and a sample through
// the plugin protocol as a child process. Skipped when the data is absent.
// Reproduce: npx tsx runtime/conformance/batch.ts [assembled.json]

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCases, runAll } from "../../runtime/conformance/suite.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DATA = resolve(ROOT, "../shared/data/bpf_conformance/assembled.json");
const present = existsSync(DATA);
if (!present) console.log(`SKIPPED: ${DATA} not found`);

describe.skipIf(!present)("bpf_conformance", () => {
  it("passes all 313 cases in batch mode", () => {
    const cases = loadCases(DATA);
    expect(cases.length).toBe(313);
    const failed = runAll(cases)
      .filter((o) => !o.passed)
      .map((o) => o.name);
    expect(failed).toEqual([]);
  });

  it("passes a sample through the plugin protocol", () => {
    const names = ["callx", "prime", "mem-len", "lock_cmpxchg", "subnet", "stack"];
    const cases = loadCases(DATA).filter((c) => names.includes(c.name));
    expect(cases.length).toBe(names.length);
    const spaced = (hex: string) => (hex.match(/../g) ?? []).join("  ");
    for (const c of cases) {
      // As the suite's runner does: memory in argv[1], program on stdin, spaced hex.
      const out = spawnSync(
        process.execPath,
        ["--import", "tsx", "runtime/conformance/plugin.ts", spaced(c.memory)],
        { cwd: ROOT, input: spaced(c.program) + "\n", encoding: "utf8" },
      );
      expect(out.status, `${c.name}: ${out.stderr}`).toBe(0);
      expect(BigInt.asUintN(32, BigInt(`0x${out.stdout.trim()}`))).toBe(
        BigInt.asUintN(32, BigInt(c.result)),
      );
    }
  });

  it("plugin exits non-zero with a message on a fault", () => {
    const out = spawnSync(
      process.execPath,
      ["--import", "tsx", "runtime/conformance/plugin.ts", ""],
      { cwd: ROOT, input: "ff00000000000000", encoding: "utf8" },
    );
    expect(out.status).not.toBe(0);
    expect(out.stdout).toMatch(/invalid/);
  });
});
