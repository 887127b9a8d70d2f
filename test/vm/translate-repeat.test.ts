// program.run({ repeat }) on the translating tier runs the repetitions
// inside the translated function (an exit of the entry frame starts the next
// run: runtime/translate/emit-ops.ts exit, Vm.runRepeat). Against the
// reference interpreter, on a raw program that shows what a run starts with
// and what it leaves behind: registers other than r1 and r10 are 0 at every
// run's start (the program returns what r2 held on entry and leaves values in
// r2-r9), the stack keeps its bytes from run to run (as the kernel's does),
// a subprogram's exit is not the program's, and the Nth run faults (an
// array map counts runs; at a count the packet names, the program reads past
// the stack): r0 of the last run that exited, the fault's slot and message,
// the instructions of every run and the map must be the same on both tiers.

import { describe, expect, it } from "vitest";
import { writeObject } from "../../bpf/elf/index.js";
import {
  Add64,
  Call,
  And64,
  CallSymbol,
  Exit,
  Jeq,
  Jgt,
  Jne,
  LoadMapPtr,
  LoadMem,
  Mov64,
  Reg,
  StoreMem,
  label,
  type Instruction,
} from "../../bpf/isa/index.js";
import { loadObject } from "../../runtime/index.js";

const { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 } = Reg;
const LOOKUP = 1;

// r0 = r2 at entry (0 unless a run leaks it) + stack[-8] (+1 every run)
//      + 256 * runs counted in the map; the run whose count equals the
//      packet's first u16 reads past the stack (0: never).
const MAIN: Instruction[] = [
  Mov64.reg(R9, R2),
  Mov64.reg(R6, R1),
  LoadMem(8, R3, R10, -8),
  Add64.imm(R3, 1),
  StoreMem(8, R10, -8, R3),
  Add64.reg(R9, R3),
  StoreMem(4, R10, -12, R2), // key 0 (r2 is 0 at entry)
  LoadMapPtr(R1, "runs"),
  Mov64.reg(R2, R10),
  Add64.imm(R2, -12),
  Call(LOOKUP),
  Jeq.imm(R0, 0, "out"),
  LoadMem(8, R3, R0, 0),
  Add64.imm(R3, 1),
  StoreMem(8, R0, 0, R3),
  Mov64.reg(R7, R3),
  Mov64.reg(R1, R3),
  CallSymbol("times256"),
  Add64.reg(R9, R0),
  LoadMem(4, R3, R6, 0), // data
  LoadMem(4, R4, R6, 4), // data_end
  Mov64.reg(R5, R3),
  Add64.imm(R5, 2),
  Jgt.reg(R5, R4, "out"),
  LoadMem(2, R3, R3, 0),
  Mov64.reg(R5, R7),
  And64.imm(R5, 0xffff),
  Jne.reg(R3, R5, "out"),
  LoadMem(8, R3, R10, 8), // past the stack: the fault
  label("out", Mov64.reg(R0, R9)),
  Mov64.imm(R2, 99),
  Mov64.imm(R4, 99),
  Mov64.imm(R5, 99),
  Mov64.imm(R8, 99),
  Exit(),
];

// r0 = r1 * 256 by eight doublings (a subprogram whose exit is not the program's).
const TIMES256: Instruction[] = [
  Mov64.reg(R0, R1),
  ...Array.from({ length: 8 }, () => Add64.reg(R0, R0)),
  Exit(),
];

const OBJECT = writeObject({
  license: "GPL",
  programs: [{ name: "rep", section: "xdp", insns: MAIN }],
  subprograms: [{ name: "times256", insns: TIMES256 }],
  maps: [{ name: "runs", type: 2, maxEntries: 1, key: 4, value: 8 }],
});

function trace(tier: "interpret" | "translate" | "auto", runs: [number, number][]): unknown[] {
  const obj = loadObject(OBJECT, { tier });
  const prog = obj.program("rep");
  const out: unknown[] = [];
  for (const [faultAt, repeat] of runs) {
    const packet = new Uint8Array(64);
    packet[0] = faultAt & 255;
    packet[1] = faultAt >> 8;
    const r = prog.run({ packet, repeat });
    out.push({ retval: r.retval, fault: r.fault, instructions: r.instructions });
    out.push(Buffer.from(obj.maps["runs"]!.get(0)!).toString("hex"));
  }
  return out;
}

describe("repeat on the translating tier: runs inside the translated function", () => {
  const runs: [number, number][] = [
    [0, 1],
    [0, 1000], // the map counts 1001 runs after this call
    [0, 5],
    [1014, 20], // its 8th run faults
    [0, 3],
    [1022, 40], // its 5th run faults
    [0, 2],
  ];
  it("r0, faults, instruction counts and the map are the interpreter's", () => {
    const reference = trace("interpret", runs);
    expect(trace("translate", runs)).toEqual(reference);
    expect(trace("auto", runs)).toEqual(reference);
  });

  it("the faulting repetitions really fault, and the others exit", () => {
    const r = trace("translate", runs) as { retval?: number; fault?: { message: string } }[];
    const results = r.filter((_, i) => i % 2 === 0);
    expect(results.map((x) => x.fault === undefined)).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
    // The second call's last run: its stack counter (1000) + 256 * 1001 runs.
    expect(results[1]!.retval).toBe(1000 + 256 * 1001);
    expect(results[3]!.fault!.message).toMatch(/read of 8 bytes at offset 520 of stack frame 0/);
  });
});
