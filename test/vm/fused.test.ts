// The interpreter's superinstruction (runtime/vm/program.ts fuse()): an add
// of an immediate fused with the conditional jump after it. Each fusable
// pair runs in a counted loop over starts, steps and bounds chosen to cross
// the 32-bit boundary, wrap, and never end (budget faults at the jump), and
// must give what the translating tier gives (which does not fuse) and what
// the loop computes in plain arithmetic; control may also enter at the
// jump's own slot. The same for a 64-bit register add fused in front of
// the pair (three slots, one dispatch), entered also at the pair's slot, with
// the budget spent inside the triple.

import { describe, expect, it } from "vitest";
import {
  Add32,
  Add64,
  Exit,
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
  Jsgt,
  Mov32,
  Mov64,
  Reg,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { createVm } from "../../runtime/vm/index.js";
import { ADD_THEN_FUSED, FUSED, predecode } from "../../runtime/vm/program.js";
import { outcome } from "./tiers.js";

const { R0, R1, R2 } = Reg;
type JumpMaker = (dst: Reg, imm: number, target: string) => Instruction;

const JUMPS64: [string, JumpMaker][] = [
  ["jeq", Jeq.imm],
  ["jne", Jne.imm],
  ["jgt", Jgt.imm],
  ["jge", Jge.imm],
  ["jlt", Jlt.imm],
  ["jle", Jle.imm],
];
const JUMPS32: [string, JumpMaker][] = [
  ["jeq32", Jeq32.imm],
  ["jne32", Jne32.imm],
  ["jgt32", Jgt32.imm],
  ["jge32", Jge32.imm],
  ["jlt32", Jlt32.imm],
  ["jle32", Jle32.imm],
];

/** r0 counts iterations; r1 starts at `start` (zero-extended u32) and steps by `step`. */
function loop(wide: boolean, jump: JumpMaker, start: number, step: number, bound: number) {
  const code = [
    Mov64.imm(R0, 0),
    Mov32.imm(R1, start),
    label("loop", Add64.imm(R0, 1)),
    wide ? Add64.imm(R1, step) : Add32.imm(R1, step),
    jump(R1, bound, "loop"),
    Exit(),
  ];
  resolveLabels(code);
  return code;
}

const CASES: [number, number, number][] = [
  [0, 1, 10],
  [0, 3, 10],
  [10, -1, 0],
  [10, -1, 3],
  [0xfffffff0, 1, 4], // crosses 2^32: carry into the high half (64-bit) or wraps (32-bit)
  [0xfffffff0, 4, -8],
  [0x7ffffffe, 1, -0x80000000],
  [5, 2, 5],
  [5, 0, 5], // never changes: ends at once or runs into the budget
];

function agree(code: Instruction[]): ReturnType<typeof outcome> {
  const interpreted = outcome(createVm({ code, tier: "interpret", budget: 3000 }).run());
  const translated = outcome(createVm({ code, tier: "translate", budget: 3000 }).run());
  expect(interpreted).toEqual(translated);
  return interpreted;
}

/** The loop in plain arithmetic: iterations, or undefined past the budget. */
function iterations(wide: boolean, op: string, start: number, step: number, bound: number) {
  const mask = wide ? (1n << 64n) - 1n : (1n << 32n) - 1n;
  const b = BigInt.asUintN(wide ? 64 : 32, BigInt(bound));
  let r1 = BigInt(start >>> 0);
  for (let n = 1; n < 1000; n++) {
    r1 = (r1 + BigInt(step)) & mask;
    const c = op.replace("32", "");
    const taken =
      c === "jeq" ? r1 === b : c === "jne" ? r1 !== b : c === "jgt" ? r1 > b : c === "jge" ? r1 >= b : c === "jlt" ? r1 < b : r1 <= b; // prettier-ignore
    if (!taken) return n;
  }
  return undefined;
}

describe("fused add + conditional jump", () => {
  for (const [wide, jumps] of [
    [true, JUMPS64],
    [false, JUMPS32],
  ] as const) {
    for (const [name, jump] of jumps) {
      it(`${wide ? "add64" : "add32"} + ${name}: fused, and the same as the translating tier`, () => {
        for (const [start, step, bound] of CASES) {
          const code = loop(wide, jump, start, step, bound);
          const p = predecode(code);
          const jumpOp = p.ins[4 * 4]! & 255;
          expect(p.ins[3 * 4]! >>> 16, "slot 3 is fused").toBe(FUSED | jumpOp);
          expect(p.ins[4 * 4]! >>> 16, "the jump keeps its own dispatch").toBe(jumpOp);
          const result = agree(code);
          const n = iterations(wide, name, start, step, bound);
          if (n === undefined) expect(result).toMatchObject({ kind: "budget", pc: 4 });
          else expect(result).toEqual({ r0: n.toString(16), instructions: 2 + 3 * n + 1 });
        }
      });
    }
  }

  it("runs the jump alone when control arrives at its slot", () => {
    const code = [
      Mov64.imm(R0, 0),
      Mov64.imm(R1, 5),
      Ja("test"),
      label("loop", Add64.imm(R0, 1)),
      Add64.imm(R1, 1),
      label("test", Jlt.imm(R1, 10, "loop")),
      Exit(),
    ];
    resolveLabels(code);
    expect(predecode(code).ins[4 * 4]! >>> 16).toBe(FUSED | 0xa5);
    expect(agree(code)).toEqual({ r0: "5", instructions: 3 + 1 + 5 * 3 + 1 });
  });

  it("does not fuse other registers, signed jumps or register operands", () => {
    const other = [Mov64.imm(R0, 0), Add64.imm(R0, 1), Jlt.imm(R1, 10, "x"), label("x", Exit())];
    const signed = [Mov64.imm(R0, 0), Add64.imm(R0, 1), Jsgt.imm(R0, 10, "x"), label("x", Exit())];
    const reg = [Mov64.imm(R0, 0), Add64.reg(R0, R1), Jlt.imm(R0, 10, "x"), label("x", Exit())];
    for (const code of [other, signed, reg]) {
      resolveLabels(code);
      const p = predecode(code);
      expect(p.ins[4]! >>> 16).toBe(p.ins[4]! & 255);
      agree(code);
    }
  });
});

/** `loop` with `r0 += r2` (r2 = 3) in front of the step: three slots, one dispatch. */
function loopWithAdd(wide: boolean, jump: JumpMaker, start: number, step: number, bound: number) {
  const code = [
    Mov64.imm(R0, 0),
    Mov32.imm(R1, start),
    Mov64.imm(R2, 3),
    label("loop", Add64.reg(R0, R2)),
    wide ? Add64.imm(R1, step) : Add32.imm(R1, step),
    jump(R1, bound, "loop"),
    Exit(),
  ];
  resolveLabels(code);
  return code;
}

describe("register add fused with the add + jump pair after it", () => {
  for (const [wide, jumps] of [
    [true, JUMPS64],
    [false, JUMPS32],
  ] as const) {
    for (const [name, jump] of jumps) {
      it(`add64 reg + ${wide ? "add64" : "add32"} + ${name}: fused, and the same as the translating tier`, () => {
        for (const [start, step, bound] of CASES) {
          const code = loopWithAdd(wide, jump, start, step, bound);
          const p = predecode(code);
          const jumpOp = p.ins[5 * 4]! & 255;
          expect(p.ins[3 * 4]! >>> 16, "slot 3 starts a fused triple").toBe(
            ADD_THEN_FUSED | jumpOp,
          );
          expect(p.ins[4 * 4]! >>> 16, "slot 4 keeps its pair").toBe(FUSED | jumpOp);
          expect(p.ins[5 * 4]! >>> 16, "the jump keeps its own dispatch").toBe(jumpOp);
          const result = agree(code);
          const n = iterations(wide, name, start, step, bound);
          // Past the budget the fault names the jump, the triple's third slot.
          if (n === undefined) expect(result).toMatchObject({ kind: "budget", pc: 5 });
          else expect(result).toEqual({ r0: (3 * n).toString(16), instructions: 3 + 3 * n + 1 });
        }
      });
    }
  }

  it("runs the pair, or the jump, alone when control arrives at their slots", () => {
    for (const entry of ["step", "test"]) {
      const code = [
        Mov64.imm(R0, 0),
        Mov64.imm(R1, 5),
        Mov64.imm(R2, 7),
        Ja(entry),
        label("loop", Add64.reg(R0, R2)),
        label("step", Add64.imm(R1, 1)),
        label("test", Jlt.imm(R1, 10, "loop")),
        Exit(),
      ];
      resolveLabels(code);
      const p = predecode(code);
      expect(p.ins[4 * 4]! >>> 16).toBe(ADD_THEN_FUSED | 0xa5);
      expect(p.ins[5 * 4]! >>> 16).toBe(FUSED | 0xa5);
      // From "step": the pair once (r1 = 6), then four triples (r1 = 7..10), r0 = 4 * 7.
      // From "test": the jump once (r1 = 5), then five triples (r1 = 6..10), r0 = 5 * 7.
      const expected =
        entry === "step"
          ? { r0: (4 * 7).toString(16), instructions: 4 + 2 + 4 * 3 + 1 }
          : { r0: (5 * 7).toString(16), instructions: 4 + 1 + 5 * 3 + 1 };
      expect(agree(code)).toEqual(expected);
    }
  });

  it("adds before the step when both name the counter, and spends the budget inside the triple", () => {
    // r1 += r1, then r1 += 1: the pair reads what the add wrote.
    const code = [
      Mov64.imm(R1, 1),
      label("loop", Add64.reg(R1, R1)),
      Add64.imm(R1, 1),
      Jlt.imm(R1, 1000, "loop"),
      Mov64.reg(R0, R1),
      Exit(),
    ];
    resolveLabels(code);
    expect(predecode(code).ins[4]! >>> 16).toBe(ADD_THEN_FUSED | 0xa5);
    // 1 -> 3 -> 7 -> ... -> 1023: nine triples.
    expect(agree(code)).toEqual({ r0: (1023).toString(16), instructions: 1 + 9 * 3 + 2 });
    // A budget of 10 is spent by the third triple's jump (1 + 3 * 3 = 10 is not over it; the
    // fourth takes 13): the fault names slot 3, with 13 instructions counted.
    for (const tier of ["interpret", "translate"] as const) {
      const r = outcome(createVm({ code, tier, budget: 10 }).run());
      expect(r).toMatchObject({ kind: "budget", pc: 3, instructions: 13 });
    }
  });

  it("does not fuse a 32-bit add or a subtraction in front of the pair", () => {
    const add32 = [Mov64.imm(R1, 0), Add32.reg(R0, R1), Add64.imm(R1, 1), Jlt.imm(R1, 5, "x"), label("x", Exit())]; // prettier-ignore
    const lone = [Mov64.imm(R1, 0), Add64.reg(R0, R1), Mov64.imm(R2, 0), Add64.imm(R1, 1), Jlt.imm(R1, 5, "x"), label("x", Exit())]; // prettier-ignore
    for (const code of [add32, lone]) {
      resolveLabels(code);
      const p = predecode(code);
      expect(p.ins[4]! >>> 16).toBe(p.ins[4]! & 255);
      agree(code);
    }
  });
});
