// The instruction budget in the translating tier's one-block loops, which
// count the budget down per back edge (runtime/translate/loop-budget.ts)
// instead of adding to a running count: every budget a short run can reach
// must fault at the same slot with the same count as the reference
// interpreter, or finish with the same r0 and count. Also loops whose
// counter crosses 2^32, nested loops (the inner one counts down, the outer
// goes through the dispatch switch), a jump into the middle of a loop, and
// budgets that are not integers, and runs of many chunks (the countdown
// hands control back to its caller every 2^20 instructions).

import { describe, expect, it } from "vitest";
import {
  Add32,
  Add64,
  Exit,
  Ja,
  Jlt,
  Jne,
  LoadImm64,
  Mov64,
  Reg,
  Sub64,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { createVm } from "../../runtime/vm/index.js";
import { predecode } from "../../runtime/vm/program.js";
import { translateSource } from "../../runtime/translate/compile.js";
import { outcome } from "./tiers.js";

function program(code: Instruction[]): Instruction[] {
  resolveLabels(code);
  return code;
}

/** Both tiers on `code` with each budget; the translated source must count down (`left`). */
function agreeOnBudgets(code: Instruction[], budgets: number[]): void {
  expect(translateSource(predecode(code))).toMatch(/left = \(left - \d+\) \| 0/);
  for (const budget of budgets) {
    const reference = outcome(createVm({ code, tier: "interpret", budget }).run());
    const translated = outcome(createVm({ code, tier: "translate", budget }).run());
    expect({ budget, ...translated }).toEqual({ budget, ...reference });
  }
}

const upTo = (n: number) => Array.from({ length: n + 1 }, (_, k) => k);

describe("translating tier: the budget in one-block loops", () => {
  it("faults where the interpreter does for every budget of a counted loop", () => {
    const code = program([
      Mov64.imm(Reg.R0, 0),
      Mov64.imm(Reg.R1, 0),
      label("loop", Add64.reg(Reg.R0, Reg.R1)),
      Add64.imm(Reg.R1, 1),
      Jlt.imm(Reg.R1, 20, "loop"),
      Exit(),
    ]);
    // 2 + 3 * 20 + 1 = 63 instructions: every budget below, at and above.
    agreeOnBudgets(code, [...upTo(66), 0.5, 30.5, 62.99, -1, -0.5, Infinity, NaN, 1e12]);
  });

  it("agrees on a counter that crosses 2^32 (64-bit) and one that wraps (32-bit)", () => {
    const wide = program([
      Mov64.imm(Reg.R0, 0),
      LoadImm64(Reg.R1, 2n ** 32n - 7n),
      LoadImm64(Reg.R2, 2n ** 32n + 9n),
      label("loop", Add64.imm(Reg.R0, 3)),
      Add64.imm(Reg.R1, 1),
      Jlt.reg(Reg.R1, Reg.R2, "loop"),
      Add64.reg(Reg.R0, Reg.R1),
      Exit(),
    ]);
    agreeOnBudgets(wide, upTo(60));
    const wrap = program([
      Mov64.imm(Reg.R0, 0),
      LoadImm64(Reg.R1, 2n ** 32n - 5n),
      label("loop", Add64.imm(Reg.R0, 1)),
      Add32.imm(Reg.R1, 1),
      Jne.imm(Reg.R1, 4, "loop"),
      Add64.reg(Reg.R0, Reg.R1),
      Exit(),
    ]);
    agreeOnBudgets(wrap, upTo(40));
  });

  it("agrees on nested loops, the inner one entered many times", () => {
    const code = program([
      Mov64.imm(Reg.R0, 0),
      Mov64.imm(Reg.R2, 0),
      label("outer", Mov64.imm(Reg.R1, 0)),
      label("inner", Add64.reg(Reg.R0, Reg.R1)),
      Add64.imm(Reg.R1, 1),
      Jlt.imm(Reg.R1, 5, "inner"),
      Add64.imm(Reg.R2, 1),
      Jlt.imm(Reg.R2, 6, "outer"),
      Exit(),
    ]);
    // 2 + 6 * (1 + 3 * 5 + 2) + 1 = 111 instructions.
    agreeOnBudgets(code, upTo(115));
  });

  it("agrees on a loop entered by a jump into its middle", () => {
    const code = program([
      Mov64.imm(Reg.R0, 0),
      Mov64.imm(Reg.R1, 10),
      Ja("middle"),
      label("loop", Add64.imm(Reg.R0, 2)),
      label("middle", Sub64.imm(Reg.R1, 1)),
      Jne.imm(Reg.R1, 0, "loop"),
      // A one-block loop after it, entered at its top, still counts down.
      label("again", Add64.imm(Reg.R1, 1)),
      Jlt.imm(Reg.R1, 7, "again"),
      Exit(),
    ]);
    agreeOnBudgets(code, upTo(50));
  });

  it("runs a loop in chunks of 2^20 instructions and still faults at the exact count", () => {
    // 2^21 + 60 iterations of two slots: four chunks and a part, each
    // handed back to the caller and resumed at the loop's start.
    const n = 2 ** 21 + 60;
    const code = program([
      Mov64.imm(Reg.R1, 0),
      label("loop", Add64.imm(Reg.R1, 1)),
      Jlt.imm(Reg.R1, n, "loop"),
      Mov64.reg(Reg.R0, Reg.R1),
      Exit(),
    ]);
    // Back edge j (1-based) leaves the count at 1 + 2j; the budget allows j <= n - 10.
    const budget = 1 + 2 * (n - 10);
    const faulted = outcome(createVm({ code, tier: "translate", budget }).run());
    expect(faulted).toEqual({ kind: "budget", pc: 2, region: undefined, instructions: budget + 2 }); // prettier-ignore
    expect(outcome(createVm({ code, tier: "interpret", budget }).run())).toEqual(faulted);
    const finished = outcome(createVm({ code, tier: "translate", budget: Infinity }).run());
    expect(outcome(createVm({ code, tier: "interpret", budget: Infinity }).run())).toEqual(
      finished,
    );
    expect(finished).toEqual({ r0: n.toString(16), instructions: 1 + 2 * n + 2 });
    // The interpreter agrees with that arithmetic on a small case.
    const small = program([
      Mov64.imm(Reg.R1, 0),
      label("loop", Add64.imm(Reg.R1, 1)),
      Jlt.imm(Reg.R1, 100, "loop"),
      Mov64.reg(Reg.R0, Reg.R1),
      Exit(),
    ]);
    expect(outcome(createVm({ code: small, tier: "interpret", budget: 1 + 2 * 90 }).run())).toEqual(
      { kind: "budget", pc: 2, region: undefined, instructions: 1 + 2 * 91 },
    );
  }, 120_000);
});
