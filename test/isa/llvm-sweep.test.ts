// Every opcode byte 0x00-0xff (but lddw, in its own list) with field values
// that LLVM checks or ignores (regs up to r12/r15, reserved off/imm values,
// every atomic imm): our listing must equal llvm-objdump-19's, `<unknown>`
// included, in default and --mcpu=v4 modes. This is where the decoder's
// "which fields are checked" rules in bpf/disasm/format.ts come from.

import { describe, expect, it } from "vitest";
import { disassemble } from "../../bpf/disasm/index.js";
import { sectionPart } from "./hex.js";
import { haveLlvm, objdumpBytes } from "./llvm.js";

function slot(op: number, regs: number, off: number, imm: number): number[] {
  const b = new DataView(new ArrayBuffer(8));
  b.setUint8(0, op);
  b.setUint8(1, regs);
  b.setInt16(2, off, true);
  b.setInt32(4, imm, true);
  return [...new Uint8Array(b.buffer)];
}

const VARIANTS: [number, number, number][] = [
  [0x21, 0, 0],
  [0x21, -8, 5],
  [0x21, 1, 8],
  [0x21, 16, 16],
  [0x21, 32, 32],
  [0x21, 8, 64],
  [0x21, 1, -1],
  [0x00, 0, 1],
  [0x2b, 3, 0x10001],
  [0xc1, 0, 16],
  [0x1c, 0, 32],
  [0xf5, 0, 0],
];
const ATOMIC_IMMS = [
  0, 1, 2, 0x40, 0x41, 0x50, 0x51, 0xa0, 0xa1, 0xe0, 0xe1, 0xf0, 0xf1, 0x100, 0x110, 0x1f1,
];

function sweep(): Uint8Array {
  const bytes: number[] = [];
  for (let op = 0; op < 256; op++) {
    if (op === 0x18) continue;
    for (const [regs, off, imm] of VARIANTS) bytes.push(...slot(op, regs, off, imm));
  }
  for (const op of [0xc3, 0xdb, 0xd3, 0xcb]) {
    for (const imm of ATOMIC_IMMS) bytes.push(...slot(op, 0x21, 4, imm));
  }
  // lddw: plain, pseudo sources, high-half values, reserved off, odd second slots.
  for (const [regs, off, lo, hi] of [
    [0x01, 0, 5, 0],
    [0x01, 0, -1, -1],
    [0x02, 0, 0, 0x7fffffff],
    [0x11, 0, 3, 0],
    [0x21, 0, 3, 16],
    [0x61, 0, 1, 8],
    [0x31, 0, 7, 0],
    [0x41, 0, 9, 0],
    [0x0c, 0, 1, 0],
    [0x01, 1, 0, 0],
    [0xf1, 0, 1, 1],
  ]) {
    bytes.push(...slot(0x18, regs!, off!, lo!), ...slot(0, 0, 0, hi!));
  }
  bytes.push(...slot(0x18, 0x01, 0, 1), 0x18, 0x01, 0x00); // cut-off lddw at the end
  return Uint8Array.from(bytes);
}

describe.skipIf(!haveLlvm)("all opcodes against llvm-objdump-19", () => {
  const bytes = sweep();
  for (const [mode, flags, alu32] of [
    ["default", [], false],
    ["--mcpu=v4", ["--mcpu=v4"], true],
  ] as const) {
    it(`same listing (${mode}), ${(bytes.length / 8) | 0} slots`, () => {
      const llvm = sectionPart(objdumpBytes(bytes, [...flags]));
      const ours = disassemble(bytes, {
        sectionName: "xdp",
        symbols: [{ name: "prog", offset: 0 }],
        alu32,
      });
      expect(ours.split("\n")).toEqual(llvm.split("\n"));
    });
  }
});
