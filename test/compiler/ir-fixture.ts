// Hand-built IR for the optimizer's unit tests.

import type { Block, IrFunction, IrInsn, Terminator } from "../../compiler/ir/ir.js";
import { imm } from "../../compiler/ir/ir.js";

export function fn(blocks: Block[], pointers: number[] = []): IrFunction {
  return {
    name: "t",
    params: [0],
    blocks,
    entry: blocks[0]!,
    nextVreg: 100,
    frameSize: 0,
    stackObjects: [],
    pointers: new Set(pointers),
  };
}
export const block = (id: number, insns: IrInsn[], term: Terminator): Block => ({
  id,
  insns,
  term,
});
export const ret = (v: number): Terminator => ({ op: "ret", value: imm(v) });
