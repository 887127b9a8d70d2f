// Before register allocation: immediates BPF cannot encode move into
// registers. 64-bit ALU and JMP immediates are sign-extended 32-bit values;
// an 8-byte BPF_ST stores a sign-extended imm; context stores need STX.
// A non-commutative `x = a op x` (the IR is not SSA: `a2 = a1 - a2`) goes
// through a fresh vreg: BPF's two-address `dst op= src` would overwrite x
// with a before reading it.

import type { IrFunction, IrInsn, Operand } from "../ir/ir.js";
import { reg } from "../ir/ir.js";

export function fitsImm32(v: bigint): boolean {
  const s = BigInt.asIntN(64, v);
  return s >= -(1n << 31n) && s < 1n << 31n;
}

const COMMUTATIVE = new Set(["add", "mul", "and", "or", "xor"]);

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
      if (
        i.op === "alu" &&
        i.b.kind === "reg" &&
        i.b.reg === i.dst &&
        i.a !== i.dst &&
        !COMMUTATIVE.has(i.alu)
      ) {
        const t = f.nextVreg++;
        out.push({ ...i, dst: t }, { op: "mov", w: i.w, dst: i.dst, src: reg(t) });
      } else if (i.op === "alu" && i.w === 64 && i.b.kind === "imm")
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
