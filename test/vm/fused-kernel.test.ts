// The interpreter's fused loops (runtime/vm/program.ts fuse()) against the
// kernel: raw XDP programs from the raw fuzzer's generator (test/fuzz/raw),
// each with a loop spliced in before its epilogue, which stores every scalar
// register into the map. The loop is `r0 += r2; r1 += step; if r1 <jump>
// bound goto loop`: a register add fused with an add + jump pair, for every
// fusable jump kind, 64- and 32-bit, entered at its head, at the pair and at
// the jump. Both sides run the same packets; r0, data_out and the map must
// agree after each.
//
// Reproduce: sudo npx vitest run test/vm/fused-kernel.test.ts

import { expect } from "vitest";
import {
  Add32,
  Add64,
  Ja,
  Jeq,
  Jeq32,
  Jge,
  Jge32,
  Jgt,
  Jgt32,
  Jle,
  Jle32,
  Jlt,
  Jlt32,
  Jne,
  Jne32,
  Mov64,
  Reg,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { ADD_THEN_FUSED, FUSED, predecode } from "../../runtime/vm/program.js";
import { FastKernel } from "../fuzz/kernel-fast/client.js";
import { makeCases } from "../fuzz/raw/campaign.js";
import { runBatch } from "../fuzz/raw/differential.js";
import { flatten } from "../fuzz/raw/program.js";
import { Rng } from "../fuzz/rng.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

const { R0, R1, R2 } = Reg;
type JumpMaker = (dst: Reg, imm: number, target: string) => Instruction;

/** Per jump kind: start, step and bound that loop a few times (the verifier walks each). */
const KINDS: [string, JumpMaker, JumpMaker, number, number, number][] = [
  ["jlt", Jlt.imm, Jlt32.imm, 0, 1, 5],
  ["jle", Jle.imm, Jle32.imm, 0, 1, 4],
  ["jgt", Jgt.imm, Jgt32.imm, 8, -1, 3],
  ["jge", Jge.imm, Jge32.imm, 8, -1, 3],
  ["jne", Jne.imm, Jne32.imm, 0, 1, 5],
  ["jeq", Jeq.imm, Jeq32.imm, 4, 1, 5],
];

const ENTRIES = ["head", "step", "test"] as const;

function loopItem(n: number, wide: boolean, jump: JumpMaker, start: number, step: number, bound: number, entry: string) {
  const at = (name: string) => `fused${n}_${name}`;
  const insns: Instruction[] = [Mov64.imm(R1, start), Mov64.imm(R2, 3)];
  if (entry !== "head") insns.push(Ja(at(entry)));
  insns.push(
    label(at("head"), Add64.reg(R0, R2)),
    label(at("step"), wide ? Add64.imm(R1, step) : Add32.imm(R1, step)),
    label(at("test"), jump(R1, bound, at("head"))),
  );
  return insns;
} // prettier-ignore

describeKernel("fused loops: kernel vs interpreter", () => {
  kernelTest(
    "register add + add + jump, every fusable jump, 64- and 32-bit, entered at each slot",
    async () => {
      const shapes = KINDS.flatMap(([, jump64, jump32, start, step, bound]) =>
        [true, false].flatMap((wide) =>
          ENTRIES.map((entry) => ({
            wide,
            jump: wide ? jump64 : jump32,
            start,
            step,
            bound,
            entry,
          })),
        ),
      );
      const cases = makeCases(new Rng(20261122), 0, shapes.length, 3, { minItems: 2, maxItems: 4 });
      shapes.forEach((s, n) => {
        const items = cases[n]!.program.items;
        const insns = loopItem(n, s.wide, s.jump, s.start, s.step, s.bound, s.entry);
        items.splice(items.length - 1, 0, { kind: "fused", insns });
        // The interpreter really runs the fused forms: the decoded code has the triple.
        const code = flatten(items);
        resolveLabels(code);
        const p = predecode(code);
        const dispatch = Array.from({ length: p.n }, (_, i) => p.ins[i * 4]! >>> 16);
        const at = dispatch.findIndex((d) => (d & 0xf00) === ADD_THEN_FUSED);
        expect(at, `${cases[n]!.program.name} has a fused triple`).toBeGreaterThanOrEqual(0);
        expect(dispatch[at + 1]).toBe(FUSED | (dispatch[at]! & 255));
      });
      const fast = new FastKernel();
      try {
        const r = await runBatch(fast, cases);
        expect(r.rejections).toEqual([]);
        expect(r.disagreements.map((d) => ({ ...d, case: d.case.program.name }))).toEqual([]);
        expect(r.agreements).toBe(cases.length * 3);
      } finally {
        fast.dispose();
      }
    },
    { timeout: 120_000 },
  );
});
