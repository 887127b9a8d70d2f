// The raw campaign in CI: generator invariants that need no kernel (same
// seed, same programs; every object reads back; the interpreter runs every
// program to the end without a fault), then a short fixed-seed comparison
// with the kernel (kernel-gated): no verifier rejection, no disagreement;
// and the minimizer + regression file round trip on a planted disagreement.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readObject } from "../../bpf/elf/index.js";
import { Call, Mov64, Reg } from "../../bpf/isa/index.js";
import { loadObject } from "../../runtime/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { FastKernel } from "./kernel-fast/client.js";
import { rawCampaign, makeCases } from "./raw/campaign.js";
import { runBatch } from "./raw/differential.js";
import { minimize } from "./raw/minimize.js";
import { loadRawRegressions, replayCase, saveRawRegression } from "./regressions.js";
import { buildObject, flatten } from "./raw/program.js";
import { Rng } from "./rng.js";

describe("raw program generator", () => {
  it("is deterministic for a seed", () => {
    const a = makeCases(new Rng(42), 0, 5, 3, {});
    const b = makeCases(new Rng(42), 0, 5, 3, {});
    expect(buildObject(a.map((c) => c.program))).toEqual(buildObject(b.map((c) => c.program)));
    expect(a.map((c) => c.packets)).toEqual(b.map((c) => c.packets));
  });

  it("writes objects the reader reads back, one xdp program and one map per program", () => {
    const cases = makeCases(new Rng(7), 0, 20, 0, {});
    const obj = readObject(buildObject(cases.map((c) => c.program)));
    expect(obj.license).toBe("GPL");
    expect(obj.programs.map((p) => p.name)).toEqual(cases.map((c) => c.program.name));
    expect(obj.maps).toHaveLength(20);
  });

  it("produces programs the interpreter runs to exit without a fault", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const cases = makeCases(new Rng(seed), 0, 20, 4, {});
      const obj = loadObject(buildObject(cases.map((c) => c.program)));
      for (const c of cases) {
        for (const packet of c.packets) {
          const r = obj.program(c.program.name).run({ packet });
          expect(
            r.fault,
            `${c.program.name}: ${flatten(c.program.items).length} insns`,
          ).toBeUndefined();
        }
      }
    }
  });
});

describeKernel("raw programs: kernel vs interpreter", () => {
  kernelTest(
    "fixed seed: 4 batches of 25 programs x 6 packets, no rejection, no disagreement",
    async () => {
      const stats = await rawCampaign({ programsPerBatch: 25, packetsPerProgram: 6 }).run({
        seed: 20261122,
        deadline: Date.now() + 60_000,
        limit: 4,
        save: false,
        log: () => {},
      });
      expect(stats.findings).toEqual([]);
      expect(stats.programs).toBe(100);
      expect(stats.packets).toBe(600);
      expect(stats.agreements).toBe(600);
    },
    { timeout: 120_000 },
  );
});

const { R1, R2, R3, R4, R5 } = Reg;

describeKernel("raw disagreements: minimizer and regression files", () => {
  kernelTest(
    "a planted disagreement (bpf_ktime_get_ns) is shrunk, saved and replays as still open",
    async () => {
      const fast = new FastKernel();
      const root = mkdtempSync(join(tmpdir(), "tsbpf-fuzz-reg-"));
      try {
        const [c] = makeCases(new Rng(5), 0, 1, 2, { minItems: 30, maxItems: 30 });
        const items = c!.program.items;
        // The kernel's clock and the interpreter's differ: r0 lands in map slot 5.
        const clock = [Call(5), ...[R1, R2, R3, R4, R5].map((r) => Mov64.imm(r, 1))];
        items.splice(items.length - 1, 0, { kind: "ktime", insns: clock });
        const r = await runBatch(fast, [c!]);
        expect(r.disagreements).toHaveLength(1);
        const small = await minimize(fast, r.disagreements[0]!, { timeMs: 60_000 });
        const kinds = small.case.program.items.map((i) => i.kind);
        expect(kinds).toEqual(["prologue", "ktime", "epilogue"]);
        const after = flatten(small.case.program.items);
        expect(after.some((i) => i.opcode === 0x85 && i.imm === 5)).toBe(true);
        expect(small.case.packets).toHaveLength(1);
        const file = await saveRawRegression(small, "planted by raw.test.ts", root);
        const [saved] = loadRawRegressions(root);
        expect(file.endsWith(saved!.file)).toBe(true);
        expect(saved!.reg.status).toBe("open");
        const again = await runBatch(fast, [replayCase(saved!.reg)]);
        expect(again.disagreements).toHaveLength(1);
      } finally {
        fast.dispose();
        rmSync(root, { recursive: true, force: true });
      }
    },
    { timeout: 120_000 },
  );
});
