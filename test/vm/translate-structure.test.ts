// Forward jumps of the translating tier as `break`s out of labelled blocks
// (runtime/translate/structure.ts): the results must be the interpreter's
// for a region with more targets than one may nest (it is split at labels),
// a loop of several blocks (a JS loop of its own) at every budget,
// jumps over and into an lddw, a jump into a subprogram's region, and the
// run entering at a slot that has no label (handed back and translated again).

import { describe, expect, it } from "vitest";
import {
  Add64,
  CallLocal,
  Exit,
  Ja,
  Jeq,
  Jge,
  Jgt,
  LoadImm64,
  Mov64,
  Reg,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { translateSource } from "../../runtime/translate/compile.js";
import { MAX_NESTING } from "../../runtime/translate/structure.js";
import { createVm } from "../../runtime/vm/index.js";
import { predecode } from "../../runtime/vm/program.js";
import { outcome } from "./tiers.js";

function agree(code: Instruction[], args: bigint[][], entry = 0, budget = 100_000): void {
  for (const a of args) {
    const run = (tier: "interpret" | "translate") =>
      outcome(createVm({ code, tier, budget }).run({ entry, args: a }));
    expect({ args: a.map(String), ...run("translate") }).toEqual({
      args: a.map(String),
      ...run("interpret"),
    });
  }
}

/** The deepest run of labelled blocks opened at one `case` label in the source. */
function deepestNesting(source: string): number {
  let deepest = 0;
  for (const m of source.matchAll(/case \d+:(?:\s*R\d+: for \(;;\) \{)?((?:\s*L\d+: \{)*)/g)) {
    deepest = Math.max(deepest, (m[1]!.match(/L\d+: \{/g) ?? []).length);
  }
  return deepest;
}

describe("translating tier: forward jumps by labelled blocks", () => {
  it("agrees on a region of 200 forward targets, split so blocks nest at most MAX_NESTING deep", () => {
    const n = 200;
    const code: Instruction[] = [];
    for (let k = 0; k < n; k++) code.push(Jeq.imm(Reg.R1, k, `t${k}`));
    code.push(Mov64.imm(Reg.R0, -1), Exit());
    for (let k = 0; k < n; k++) {
      code.push(label(`t${k}`, Mov64.imm(Reg.R0, k * 3)), Add64.reg(Reg.R0, Reg.R2), Exit());
    }
    resolveLabels(code);
    const source = translateSource(predecode(code));
    expect(source).toMatch(/break L\d+;/);
    const deepest = deepestNesting(source);
    expect(deepest).toBeGreaterThan(1);
    expect(deepest).toBeLessThanOrEqual(MAX_NESTING);
    agree(
      code,
      [0, 1, 62, 63, 64, 65, 127, 128, 199, 200, 5000].map((k) => [BigInt(k), 7n]),
    );
  });

  it("agrees when an lddw names a function at its own second half", () => {
    // lddw r2, func with imm 0 names slot 1, inside itself (the fuzz tests'
    // sequence 2181): a block start no code can carry a label for, which
    // must not start a region, so the forward jump after it still closes.
    const pointer = LoadImm64(Reg.R2, 0n);
    pointer.src = 4;
    const code: Instruction[] = [
      pointer,
      Mov64.imm(Reg.R0, 5),
      Jeq.imm(Reg.R1, 1, "after"),
      Mov64.imm(Reg.R0, 9),
      label("after", Add64.imm(Reg.R0, 3)),
      Exit(),
    ];
    resolveLabels(code);
    agree(code, [[0n], [1n]]);
  });

  it("agrees on a loop of several blocks (a region loop) at every budget it reaches", () => {
    const code = [
      Mov64.imm(Reg.R0, 0),
      Mov64.imm(Reg.R2, 0),
      label("loop", Jge.reg(Reg.R2, Reg.R1, "out")),
      Add64.reg(Reg.R0, Reg.R2),
      Jeq.imm(Reg.R2, 5, "skip"),
      Add64.imm(Reg.R0, 100),
      label("skip", Add64.imm(Reg.R2, 1)),
      Ja("loop"),
      label("out", Exit()),
    ];
    resolveLabels(code);
    expect(translateSource(predecode(code))).toMatch(/continue R2;/);
    for (let budget = 0; budget <= 80; budget++) agree(code, [[0n], [3n], [10n]], 0, budget);
  });

  it("agrees across a local call, its return and a run entered at an unlabelled slot", () => {
    const code = [
      Mov64.imm(Reg.R0, 0),
      Jgt.imm(Reg.R1, 10, "big"),
      CallLocal("sub"),
      Ja("done"),
      label("big", Mov64.imm(Reg.R0, 100)),
      label("done", Add64.imm(Reg.R0, 1)),
      Exit(),
      label("sub", Jeq.imm(Reg.R1, 3, "three")),
      Mov64.imm(Reg.R0, 20),
      Exit(),
      label("three", Mov64.imm(Reg.R0, 30)),
      Exit(),
    ];
    resolveLabels(code);
    agree(code, [[0n], [3n], [11n]]);
    // Slot 8 (after sub's first jump) is only fallen into: no label until a run starts there.
    expect(translateSource(predecode(code))).not.toMatch(/case 8:/);
    agree(code, [[0n], [3n]], 8);
  });
});
