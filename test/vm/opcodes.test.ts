// The interpreter's switch uses literal opcode bytes (for V8's jump table);
// this checks them against the bpf/isa enums: every opcode the decoder
// accepts has a case, and every case is an opcode the decoder accepts.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { AluOp, InsnClass, JmpOp, Mode, OP_LDDW, Size, Source } from "../../bpf/isa/index.js";
import { invalidReason } from "../../runtime/vm/program.js";

const source = readFileSync(
  resolve(import.meta.dirname, "../../runtime/vm/interpreter.ts"),
  "utf8",
);
const cases = new Set<number>(
  [...source.matchAll(/case (0x[0-9a-f]{2}):/g)].map((m) => Number(m[1])),
);

/** Field values that make some form of each opcode valid. */
const IMMS = [0, 1, 16, 32, 64, 0xe1, 0xf1, 0x100];
const OFFS = [0, 1, 8];
const accepted = (op: number) =>
  op === OP_LDDW ||
  IMMS.some((imm) => OFFS.some((off) => invalidReason(op, 1, 0, off, imm) === undefined));

it("has a case for every valid opcode and none for invalid ones", () => {
  const valid = Array.from({ length: 256 }, (_, op) => op).filter(accepted);
  expect([...cases].sort((a, b) => a - b)).toEqual(valid);
});

it("spot-checks literals against enum compositions", () => {
  const expectCase = (op: number) => expect(cases.has(op), `0x${op.toString(16)}`).toBe(true);
  expectCase(InsnClass.ALU64 | AluOp.ADD | Source.K);
  expectCase(InsnClass.ALU | AluOp.END | Source.X);
  expectCase(InsnClass.JMP32 | JmpOp.JSLE | Source.X);
  expectCase(InsnClass.JMP | JmpOp.JCOND);
  expectCase(InsnClass.LDX | Mode.MEMSX | Size.B);
  expectCase(InsnClass.STX | Mode.ATOMIC | Size.DW);
  expectCase(InsnClass.LD | Mode.IND | Size.H);
});
