// Loop versioning in the translating tier (runtime/translate/loop-facts.ts):
// one-block loops whose registers provably stay below 2^32 get a second
// copy with those high halves folded to 0, entered behind a guard. Random
// loops over the operations the analysis models (and some it does not),
// with start values on both sides of every bound the guard checks (small,
// near 2^31, near 2^32, 64-bit, negative), must give exactly what the
// reference interpreter gives: r0 (which folds in every register after the
// loop), the fault and the instruction count. The test also checks that a
// good share of the loops got a fast copy, so it cannot pass vacuously.

import { describe, expect, it } from "vitest";
import {
  Add32,
  Add64,
  And32,
  And64,
  Arsh32,
  Arsh64,
  Div32,
  Div64,
  Exit,
  Jeq,
  Jgt,
  Jle,
  Jle32,
  Jlt,
  Jlt32,
  Jne,
  Jsle,
  Jsle32,
  Jslt,
  Jslt32,
  LoadImm64,
  Lsh32,
  Lsh64,
  Mod32,
  Mod64,
  Mov32,
  Mov64,
  Mul32,
  Mul64,
  Neg64,
  Or64,
  Reg,
  Rsh32,
  Rsh64,
  SDiv64,
  Sub32,
  Sub64,
  Xor32,
  Xor64,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { createVm } from "../../runtime/vm/index.js";
import { predecode } from "../../runtime/vm/program.js";
import { translateSource } from "../../runtime/translate/compile.js";
import { rng } from "./fuzz-gen.js";
import { outcome } from "./tiers.js";

const REGS = [Reg.R0, Reg.R1, Reg.R2, Reg.R3, Reg.R4, Reg.R5];
type Alu = { imm: (d: Reg, k: number) => Instruction; reg: (d: Reg, s: Reg) => Instruction };
const ALUS: Alu[] = [Add64, Add64, Add64, Sub64, Mul64, Div64, SDiv64, Mod64, Or64, And64, Xor64, Lsh64, Rsh64, Arsh64, Mov64, Add32, Sub32, Mul32, Div32, Mod32, And32, Xor32, Lsh32, Rsh32, Arsh32, Mov32]; // prettier-ignore
type Jump = { imm: (d: Reg, k: number, t: string) => Instruction; reg: (d: Reg, s: Reg, t: string) => Instruction }; // prettier-ignore
const JUMPS: Jump[] = [Jlt, Jlt, Jle, Jslt, Jsle, Jlt32, Jle32, Jslt32, Jsle32, Jne, Jgt, Jeq];
const STARTS = [0, 1, 7, 100, 0x7ffffff0, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, 2 ** 32, 2 ** 40 + 3, -1, -100]; // prettier-ignore
const IMMS = [0, 1, 2, 3, 5, 31, 32, 63, 100, 1000, 0x7fffffff, -1, -2, -0x80000000];

function randomLoop(next: () => number): Instruction[] {
  const pick = <T>(xs: readonly T[]) => xs[next() % xs.length]!;
  const reg = () => pick(REGS);
  const imm = () => (next() % 3 === 0 ? next() % 200 : pick(IMMS));
  const code: Instruction[] = REGS.map((r) =>
    LoadImm64(r, BigInt.asUintN(64, BigInt(pick(STARTS)))),
  );
  const body: Instruction[] = [];
  for (let n = 1 + (next() % 4); n > 0; n--) {
    const roll = next() % 10;
    if (roll === 0) body.push(Neg64(reg()));
    else {
      const op = pick(ALUS);
      body.push(next() % 3 === 0 ? op.reg(reg(), reg()) : op.imm(reg(), imm()));
    }
  }
  // The step and test of a counted loop, most of the time.
  const counter = reg();
  if (next() % 4 !== 0) body.push(Add64.imm(counter, 1 + (next() % 3)));
  const jump = pick(JUMPS);
  const bound = next() % 4 === 0 ? pick(IMMS) : 1 + (next() % 300);
  const test =
    next() % 5 === 0 ? jump.reg(counter, reg(), "loop") : jump.imm(counter, bound, "loop");
  code.push(label("loop", body[0]!), ...body.slice(1), test);
  // Every register counts in the result.
  for (const r of REGS.slice(1)) code.push(Xor64.reg(Reg.R0, r), Lsh64.imm(Reg.R0, 1));
  code.push(Exit());
  resolveLabels(code);
  return code;
}

describe("translating tier: loop versioning", () => {
  // Ten parts of 1,000 (one generator throughout), each yielding to the
  // event loop first: every loop is translated (new Function) twice, which
  // takes minutes on a loaded machine, and vitest's RPC must be answered.
  const next = rng(0x100b);
  const seen = { versioned: 0, completed: 0 };
  for (let part = 0; part < 10; part++) {
    it(
      `agrees with the interpreter on random one-block loops ${part * 1_000}..${(part + 1) * 1_000 - 1}`,
      { timeout: 300_000 },
      async () => {
        // prettier-ignore
        await new Promise((resolve) => setImmediate(resolve));
        for (let k = part * 1_000; k < (part + 1) * 1_000; k++) {
          const code = randomLoop(next);
          const reference = outcome(createVm({ code, tier: "interpret", budget: 3000 }).run());
          const translated = outcome(createVm({ code, tier: "translate", budget: 3000 }).run());
          const source = translateSource(predecode(code));
          if (JSON.stringify(reference) !== JSON.stringify(translated)) {
            expect({ k, source, ...translated }).toEqual({ k, source, ...reference });
          }
          if (source.includes("fast: for")) {
            seen.versioned++;
            if ("r0" in reference) seen.completed++;
          }
        }
      },
    );
  }

  it("gave a good share of the 10,000 loops a fast copy, and many of those ran to the end", () => {
    expect(seen.versioned).toBeGreaterThan(1_000);
    expect(seen.completed).toBeGreaterThan(250);
  });

  it("gives a counted loop's counter a fast copy with its high half folded", () => {
    const code = [
      Mov64.imm(Reg.R0, 0),
      Mov64.imm(Reg.R1, 0),
      label("loop", Add64.reg(Reg.R0, Reg.R1)),
      Add64.imm(Reg.R1, 1),
      Jlt.imm(Reg.R1, 1000, "loop"),
      Exit(),
    ];
    resolveLabels(code);
    const source = translateSource(predecode(code));
    // r1 stays in [0, 999] at the top; r0 (the sum) is not bounded.
    expect(source).toContain("if (h1 === 0 && (l1 >>> 0) <= 999) { h1 = 0; fast: for (;;) {");
    expect(source).not.toMatch(/h0 === 0 &&/);
    // Its step is one 32-bit add in the fast copy: no carry into the folded high half.
    expect(source).toContain("l1 = (l1 + 1) | 0; h1 = 0;");
    const run = createVm({ code, tier: "translate" }).run();
    expect(run).toEqual({ ok: true, r0: 499500n, instructions: 2 + 3 * 1000 + 1 });
  });

  it("runs the ordinary copy when the guard fails (counter above its bound on entry)", () => {
    const code = [
      Mov64.imm(Reg.R0, 0),
      LoadImm64(Reg.R1, 2n ** 32n - 2n),
      label("loop", Add64.imm(Reg.R0, 1)),
      Add64.imm(Reg.R1, 1),
      Jlt.imm(Reg.R1, 10, "loop"),
      Exit(),
    ];
    resolveLabels(code);
    expect(translateSource(predecode(code))).toContain("fast: for");
    const interpreted = outcome(createVm({ code, tier: "interpret" }).run());
    expect(outcome(createVm({ code, tier: "translate" }).run())).toEqual(interpreted);
    expect(interpreted).toEqual({ r0: "1", instructions: 3 + 3 + 1 });
  });
});
