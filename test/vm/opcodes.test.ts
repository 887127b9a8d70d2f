// The interpreter's switch uses literal opcode bytes (for V8's jump table);
// this checks them against the bpf/isa enums: every opcode the decoder
// accepts has a case, and every case is an opcode the decoder accepts; the
// superinstructions' labels are the codes program.ts gives them; and the
// labels stay dense enough for V8 to keep the jump table.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, it } from "vitest";
import { AluOp, InsnClass, JmpOp, Mode, OP_LDDW, Size, Source } from "../../bpf/isa/index.js";
import { ADD_THEN_FUSED, FUSED, invalidReason } from "../../runtime/vm/program.js";

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

/** The labels of three hex digits: superinstructions (program.ts fuse()). */
const superCases = [...source.matchAll(/case (0x[0-9a-f]{3}):/g)].map((m) => Number(m[1]));

it("has a case for every superinstruction fuse() makes, and no other", () => {
  const jumps = [0x15, 0x55, 0x25, 0x35, 0xa5, 0xb5, 0x16, 0x56, 0x26, 0x36, 0xa6, 0xb6];
  const codes = [FUSED, ADD_THEN_FUSED].flatMap((kind) => jumps.map((op) => kind | op));
  expect(superCases.sort((a, b) => a - b)).toEqual(codes.sort((a, b) => a - b));
});

it("keeps the labels dense enough for a jump table", () => {
  // Turbofan's instruction selector compiles a switch to a jump table when
  // (range + 4) + 3 * 3 <= (3 + 2 * cases) + 3 * cases, else to a binary
  // tree of compares: observed on node 20, 153 labels over 0x04..0x2b6 (691
  // values, limit 755) give a table, and 167 over 0x04..0x3c4 (961, limit
  // 825) gave a tree that made every dispatch slower.
  const labels = [...cases, ...superCases];
  const range = Math.max(...labels) - Math.min(...labels) + 1;
  expect(range + 13).toBeLessThanOrEqual(5 * labels.length + 3);
});
