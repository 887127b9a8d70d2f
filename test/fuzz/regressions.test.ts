// Every saved fuzz finding replayed (test/fuzz/regressions): raw programs in
// the kernel and the interpreter (kernel-gated; the two must agree on every
// packet), generated tsbpf programs (must compile, load and agree), compiler sources and damaged objects through the sandboxed
// targets (they must end in an object/diagnostics or a clean error, in
// time). Findings still open are expected to fail (it.fails), so the suite
// stays green while they wait and turns red the day a fix lands, to remind
// the fixer to mark them fixed. Programs that are the generator's (past the
// verifier's limits with clang-19's object as well) are expected to fail too.

import { afterAll, describe, expect, it } from "vitest";
import { describeKernel } from "../kernel/kernel-test.js";
import { FastKernel } from "./kernel-fast/client.js";
import { runBatch } from "./raw/differential.js";
import { CompileClient } from "./program/compile-client.js";
import { compareObject } from "./program/differential.js";
import {
  loadInputs,
  loadProgramRegressions,
  loadRawRegressions,
  replayCase,
} from "./regressions.js";
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

const programs = loadProgramRegressions();

describeKernel("fuzz regressions: generated tsbpf programs, compiled, verified, compared", () => {
  let fast: FastKernel | undefined;
  let compiler: CompileClient | undefined;
  afterAll(() => {
    fast?.dispose();
    compiler?.dispose();
  });
  it("has packets for every saved program", () => {
    expect(programs.every((p) => p.reg.packets.length > 0)).toBe(true);
  });
  for (const { file, reg } of programs) {
    (reg.status === "fixed" ? it : it.fails)(
      `${file}: ${reg.failure}: ${reg.summary}`,
      async () => {
        compiler ??= new CompileClient();
        fast ??= new FastKernel();
        const r = await compiler.compile(reg.source);
        expect(r.diagnostics.map((d) => d.text)).toEqual([]);
        const packets = reg.packets.map((h) => Uint8Array.from(Buffer.from(h, "hex")));
        const res = await compareObject(fast, r.object!, { [reg.program]: packets });
        expect(res.refused).toBeUndefined();
        expect(res.disagreements).toEqual([]);
        expect(res.packets).toBe(packets.length);
      },
      120_000,
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

// 30 s: the 10k-statement source of hang-a7cd takes ~7 s unloaded and over 10 s on a loaded
// 2-CPU machine; a real hang runs forever either way.
replayInputs("compiler", "txt", 30_000);
replayInputs("elf", "bin", 5_000);
