// Every saved fuzz finding replayed (test/fuzz/regressions): raw programs in
// the kernel and the interpreter (kernel-gated; the two must agree on every
// packet), compiler sources and damaged objects through the sandboxed
// targets (they must end in an object/diagnostics or a clean error, in
// time). Findings still open are expected to fail (it.fails), so the suite
// stays green while they wait and turns red the day a fix lands, to remind
// the fixer to mark them fixed.

import { afterAll, describe, expect, it } from "vitest";
import { describeKernel } from "../kernel/kernel-test.js";
import { FastKernel } from "./kernel-fast/client.js";
import { runBatch } from "./raw/differential.js";
import { loadInputs, loadRawRegressions, replayCase } from "./regressions.js";
import { Sandbox } from "./sandbox.js";

const raw = loadRawRegressions();

describeKernel("fuzz regressions: raw programs, kernel vs interpreter", () => {
  let fast: FastKernel | undefined;
  afterAll(() => fast?.dispose());
  it("has a replay for every saved program", () => {
    expect(raw.every((r) => r.reg.packets.length > 0)).toBe(true);
  });
  for (const { file, reg } of raw) {
    (reg.status === "open" ? it.fails : it)(
      `${file}: ${reg.summary}`,
      async () => {
        fast ??= new FastKernel();
        const r = await runBatch(fast, [replayCase(reg)]);
        expect(r.rejections.map((x) => x.log)).toEqual([]);
        expect(
          r.disagreements.map((d) => ({ kernel: d.kernel, interpreter: d.interpreter })),
        ).toEqual([]);
      },
      60_000,
    );
  }
});

function replayInputs(target: "compiler" | "elf", ext: string, timeoutMs: number) {
  const inputs = loadInputs(target, ext);
  describe(`fuzz regressions: ${target} inputs`, () => {
    let box: Sandbox | undefined;
    afterAll(() => box?.dispose());
    it("loads the saved inputs", () => {
      expect(inputs.every((i) => i.data.length >= 0)).toBe(true);
    });
    for (const input of inputs) {
      (input.fixed ? it : it.fails)(
        input.file,
        async () => {
          box ??= new Sandbox(target, { timeoutMs, heapMb: 1024 });
          const o = await box.run(target === "compiler" ? input.data.toString("utf8") : input.data);
          expect(o.kind === "ok" ? "ok" : `${o.kind}: ${o.detail.split("\n")[0]}`).toBe("ok");
        },
        timeoutMs + 60_000,
      );
    }
  });
}

replayInputs("compiler", "txt", 10_000);
replayInputs("elf", "bin", 5_000);
