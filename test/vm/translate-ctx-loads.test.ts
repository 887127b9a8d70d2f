// Loads from the XDP context in translated code (runtime/translate/emit-ops.ts
// loadMem: an aligned u32 load from a region with a word table is answered
// from the table, anything else goes to the load hook) against the reference
// interpreter. A raw program loads from ctx + an offset the packet chooses,
// with the width the packet chooses: every field, unaligned offsets, one
// word past the end, negative offsets, 1/2/8-byte loads. Then it moves the
// packet start with bpf_xdp_adjust_head by a packet-chosen delta and reads
// through the packet pointer it loaded before the move (stale: the packet's
// bytes were replaced) and through ctx->data again. r0, faults (slot and
// message) and data_out must be the same on both tiers, run by run and with
// repeat.

import { describe, expect, it } from "vitest";
import { writeObject } from "../../bpf/elf/index.js";
import {
  Add64,
  Call,
  Exit,
  Jeq,
  Jgt,
  LoadMem,
  Lsh64,
  Mov64,
  Reg,
  label,
  type Instruction,
} from "../../bpf/isa/index.js";
import { packetTrace } from "./tiers.js";

const { R0, R1, R2, R3, R6, R7, R8, R9 } = Reg;
const ADJUST_HEAD = 44;

// Packet bytes: [0] ctx offset + 8 (so 0 is offset -8), [1] width (1, 2, 4, 8),
// [2] adjust_head delta + 64, [3] offset read through the old data pointer
// after the move (0: none).
const CODE: Instruction[] = [
  Mov64.reg(R6, R1),
  LoadMem(4, R7, R6, 0), // data
  LoadMem(4, R8, R6, 4), // data_end
  Mov64.reg(R2, R7),
  Add64.imm(R2, 8),
  Jgt.reg(R2, R8, "short"),
  LoadMem(1, R9, R7, 0),
  Add64.imm(R9, -8),
  Add64.reg(R9, R6), // ctx + offset
  LoadMem(1, R3, R7, 1),
  Jeq.imm(R3, 1, "w1"),
  Jeq.imm(R3, 2, "w2"),
  Jeq.imm(R3, 8, "w8"),
  LoadMem(4, R0, R9, 0),
  Jeq.imm(R3, 4, "moved"),
  label("w1", LoadMem(1, R0, R9, 0)),
  Jeq.imm(R3, 1, "moved"),
  label("w2", LoadMem(2, R0, R9, 0)),
  Jeq.imm(R3, 2, "moved"),
  label("w8", LoadMem(8, R0, R9, 0)),
  label("moved", Mov64.reg(R9, R0)),
  LoadMem(1, R8, R7, 3),
  LoadMem(1, R2, R7, 2),
  Add64.imm(R2, -64),
  Mov64.reg(R1, R6),
  Call(ADJUST_HEAD),
  Lsh64.imm(R0, 32),
  Add64.reg(R9, R0),
  Jeq.imm(R8, 0, "fresh"),
  Add64.reg(R8, R7),
  LoadMem(1, R3, R8, 0), // through the data pointer from before the move
  Lsh64.imm(R3, 8),
  Add64.reg(R9, R3),
  label("fresh", LoadMem(4, R7, R6, 0)), // data again
  LoadMem(4, R8, R6, 4),
  Mov64.reg(R2, R7),
  Add64.imm(R2, 1),
  Jgt.reg(R2, R8, "done"),
  LoadMem(1, R3, R7, 0),
  Lsh64.imm(R3, 16),
  Add64.reg(R9, R3),
  label("done", Mov64.reg(R0, R9)),
  Exit(),
  label("short", Mov64.imm(R0, 0x5555)),
  Exit(),
];

const OBJECT = writeObject({
  license: "GPL",
  programs: [{ name: "ctxload", section: "xdp", insns: CODE }],
});

function packets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const offsets = [8, 12, 16, 20, 24, 28, 32, 36, 40, 9, 10, 11, 13, 0, 4, 7, 200];
  const widths = [4, 1, 2, 8];
  const moves: [number, number][] = [
    [64, 0],
    [64 + 14, 0],
    [64 - 14, 0],
    [64 - 200, 0],
    [64 + 30, 0],
    [64 + 14, 5],
    [64, 63],
  ];
  const add = (off: number, w: number, [delta, at]: [number, number]) => {
    const p = new Uint8Array(64).map((_, i) => (i * 7 + 3) & 255);
    p.set([off, w, delta & 255, at]);
    out.push(p);
  };
  for (const off of offsets) {
    for (const move of moves) add(off, 4, move);
    for (const w of widths) add(off, w, moves[0]!);
  }
  return out;
}

function trace(tier: "interpret" | "translate"): unknown[] {
  return packetTrace(OBJECT, "ctxload", tier, packets(), [1, 3]);
}

describe("context loads on the translating tier", () => {
  it("every offset and width, then stale and fresh packet pointers after adjust_head", () => {
    const reference = trace("interpret");
    expect(trace("translate")).toEqual(reference);
    // Both kinds of outcome are there: field values and faults.
    const faults = reference.filter((r) => (r as { fault?: unknown }).fault !== undefined);
    expect(faults.length).toBeGreaterThan(10);
    expect(reference.length - faults.length).toBeGreaterThan(40);
  });
});
