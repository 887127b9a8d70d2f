// Before register allocation: immediates BPF cannot encode move into
// registers. 64-bit ALU and JMP immediates are sign-extended 32-bit values;
// an 8-byte BPF_ST stores a sign-extended imm; context stores need STX.

import type { IrFunction, IrInsn, Operand } from "../ir/ir.js";
import { reg } from "../ir/ir.js";

export function fitsImm32(v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  return s >= -(1n << 31n) && s < 1n << 31n;
}

export function legalize(f: IrFunction): void {
  for (const b of f.blocks) {
    const out: IrInsn[] = [];
    const materialize = (o: Operand, need: boolean): Operand => {
      if (o.kind !== "imm" || !need) return o;
      const t = f.nextVreg++;
      out.push({ op: "mov", w: 64, dst: t, src: o });
      return reg(t);
    };
    for (const i of b.insns) {
      if (i.op === "alu" && i.w === 64 && i.b.kind === "imm")
        out.push({ ...i, b: materialize(i.b, !fitsImm32(i.b.value)) });
      else if (i.op === "store" && i.src.kind === "imm")
        out.push({
          ...i,
          src: materialize(i.src, !!i.noImm || (i.size === 8 && !fitsImm32(i.src.value))),
        });
      else out.push(i);
    }
    const t = b.term;
    if (t.op === "br" && t.w === 64 && t.b.kind === "imm" && !fitsImm32(t.b.value)) {
      b.term = { ...t, b: materialize(t.b, true) };
    }
    b.insns = out;
  }
}
