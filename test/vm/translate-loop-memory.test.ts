// Memory accesses in a one-block loop of translated code keep their region
// per base register (runtime/translate/emit-ops.ts regionOf), against the
// reference interpreter. A raw program walks a pointer the packet chooses
// (the packet, the stack, the context) in a loop of one block, reading a
// byte and writing one back (a store to the context faults in its hook),
// for a count and a stride the packet chooses: to the last byte, one byte
// past the end, with a stride of 2^32 (the high half changes every
// iteration) or negative (below the start). r0, faults (slot, message) and
// data_out must be the same on both tiers.

import { describe, expect, it } from "vitest";
import { writeObject } from "../../bpf/elf/index.js";
import {
  Add64,
  Exit,
  Jeq,
  Jgt,
  Jne,
  LoadImm64,
  LoadMem,
  Mov64,
  Reg,
  StoreMem,
  Sub64,
  label,
  type Instruction,
} from "../../bpf/isa/index.js";
import { packetTrace } from "./tiers.js";

const { R0, R1, R2, R3, R4, R5, R6, R7, R8, R10 } = Reg;

// Packet bytes: [0] base (0 packet, 1 stack - 64, 2 ctx), [1] count,
// [2] stride (0: 2^32, 255: -1, else the byte), [3] start offset.
const CODE: Instruction[] = [
  Mov64.reg(R6, R1),
  LoadMem(4, R7, R6, 0), // data
  LoadMem(4, R8, R6, 4), // data_end
  Mov64.reg(R2, R7),
  Add64.imm(R2, 8),
  Jgt.reg(R2, R8, "short"),
  LoadMem(1, R4, R7, 1), // count
  LoadMem(1, R5, R7, 2), // stride
  LoadMem(1, R2, R7, 3), // start
  LoadMem(1, R1, R7, 0), // base
  Mov64.reg(R3, R7),
  Jeq.imm(R1, 0, "stride"),
  Mov64.reg(R3, R10),
  Add64.imm(R3, -64),
  Jeq.imm(R1, 1, "stride"),
  Mov64.reg(R3, R6),
  label("stride", Add64.reg(R3, R2)),
  Jne.imm(R5, 0, "neg"),
  LoadImm64(R5, 1n << 32n),
  label("neg", Jne.imm(R5, 255, "go")),
  Mov64.imm(R5, -1),
  label("go", Mov64.imm(R0, 0)),
  Jeq.imm(R4, 0, "done"),
  // The loop: one block jumping back to its own start.
  label("loop", LoadMem(1, R2, R3, 0)),
  Add64.reg(R0, R2),
  Add64.imm(R2, 1),
  StoreMem(1, R3, 0, R2),
  Add64.reg(R3, R5),
  Sub64.imm(R4, 1),
  Jne.imm(R4, 0, "loop"),
  label("done", Exit()),
  label("short", Mov64.imm(R0, 0x5555)),
  Exit(),
];

const OBJECT = writeObject({
  license: "GPL",
  programs: [{ name: "walk", section: "xdp", insns: CODE }],
});

function packets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  // [base, count, stride, start]: the packet is 64 bytes, the stack walk
  // starts 64 below the frame's end, the context is 24 bytes.
  const cases: [number, number, number, number][] = [
    [0, 60, 1, 4], // to the packet's last byte
    [0, 61, 1, 4], // one past it
    [0, 30, 2, 3],
    [0, 3, 0, 8], // stride 2^32: out of the packet's region at the second step
    [0, 5, 255, 4], // backwards past the start
    [0, 4, 255, 3],
    [1, 64, 1, 0], // the stack to its last byte
    [1, 65, 1, 0], // one past the stack's end
    [1, 3, 0, 0],
    [1, 10, 255, 5],
    [2, 1, 1, 0], // the context: a byte load faults in the hook
    [2, 2, 4, 16],
  ];
  for (const c of cases) {
    const p = new Uint8Array(64).map((_, i) => (i * 5 + 1) & 255);
    p.set(c);
    out.push(p);
  }
  return out;
}

function trace(tier: "interpret" | "translate"): unknown[] {
  return packetTrace(OBJECT, "walk", tier, packets(), [1, 4]);
}

describe("memory accesses in a one-block loop on the translating tier", () => {
  it("walks to the end, one byte past it, across high halves and backwards", () => {
    const reference = trace("interpret");
    expect(trace("translate")).toEqual(reference);
    const faults = reference.filter((r) => (r as { fault?: unknown }).fault !== undefined);
    expect(faults.length).toBeGreaterThan(8);
    expect(reference.length - faults.length).toBeGreaterThan(8);
  });
});
