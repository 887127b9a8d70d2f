// Constant pointer offsets folded into their uses. A header view at a
// constant offset lowers to `h = data + 14`, then `end = h + 20` for its
// bounds check and loads at `h + k`; each costs a copy and an add. Where
// `p = q + c` (a 64-bit pointer add of a constant) is available, a load or
// store through p becomes one through q at offset k + c, and `p + d` becomes
// `q + (c + d)`, which is how clang addresses headers from the packet start.
// p usually dies, and with it the copy.
//
// This is safe for the verifier: the bounds check is still made on q plus a
// constant, which gives q's packet range; the context pointer is then read
// at constant offsets from itself, which is what the verifier wants anyway.

import type { IrFunction, IrInsn, VReg } from "../ir/ir.js";
import { defOf, imm } from "../ir/ir.js";
import { availableAtEntry, type Facts } from "./available.js";

interface Offset {
  base: VReg;
  c: number;
}

const S16 = (n: number) => n >= -32768 && n <= 32767;

function transfer(f: IrFunction, facts: Facts<Offset>, i: IrInsn): void {
  const d = defOf(i);
  if (d === undefined) return;
  for (const [k, o] of facts) if (k === String(d) || o.base === d) facts.delete(k);
  if (
    i.op === "alu" &&
    i.alu === "add" &&
    i.w === 64 &&
    i.b.kind === "imm" &&
    i.a !== i.dst &&
    f.pointers.has(i.dst) &&
    f.pointers.has(i.a)
  ) {
    const c = Number(BigInt.asIntN(64, i.b.value));
    if (S16(c)) facts.set(String(i.dst), { base: i.a, c });
  }
}

export function foldOffsets(f: IrFunction): boolean {
  const entry = availableAtEntry<Offset>(
    f,
    (facts, i) => transfer(f, facts, i),
    (a, b) => a.base === b.base && a.c === b.c,
  );
  let changed = false;
  for (const [b, facts] of entry) {
    b.insns = b.insns.map((i) => {
      let x: IrInsn = i;
      const via = (v: VReg) => facts.get(String(v));
      if (i.op === "load" || i.op === "store") {
        const o = via(i.base);
        if (
          o &&
          S16(i.off + o.c) &&
          !(i.op === "store" && i.src.kind === "reg" && i.src.reg === i.base)
        ) {
          x = { ...i, base: o.base, off: i.off + o.c };
          changed = true;
        }
      } else if (i.op === "alu" && i.alu === "add" && i.w === 64 && i.b.kind === "imm") {
        const o = via(i.a);
        const c = o ? o.c + Number(BigInt.asIntN(64, i.b.value)) : 0;
        if (o && S16(c) && f.pointers.has(i.dst)) {
          x = { ...i, a: o.base, b: imm(c) };
          changed = true;
        }
      }
      transfer(f, facts, x);
      return x;
    });
  }
  return changed;
}
