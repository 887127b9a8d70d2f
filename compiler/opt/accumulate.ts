// Accumulator coalescing: `t = op1(...); ...; x = t op2 c` with t dead after
// it becomes `x = op1(...); ...; x = x op2 c`. Lowering gives every
// subexpression its own vreg, so `sum += w.hi + ...` or
// `h = (h ^ b) * K` compute into a temporary and only the last operation
// writes the variable. A loop-carried variable's interval spans the loop, so
// the allocator cannot hand it the temporary's register, and BPF's
// two-address form then costs a `x = t` copy per iteration. Writing x from
// the start of the chain removes it (csum_loop, payload_hash).
//
// Safe when x is neither read nor written between t's definition and the
// operation (x's old value is dead there: the operation overwrites it), c is
// not x, and t is not read after the operation. t and x must both be
// pointers or both scalars. A commutative `x = c op2 t` is turned around
// first.

import type { Block, IrFunction, IrInsn, VReg } from "../ir/ir.js";
import { defsOf, mapUses, usesOfInsn, walkBackward } from "./copies.js";

const COMMUTATIVE = new Set(["add", "mul", "and", "or", "xor"]);

/** Index of t's definition before `k` in b, with x untouched in between; -1 if none. */
function definitionOf(b: Block, k: number, t: VReg, x: VReg): number {
  for (let j = k - 1; j >= 0; j--) {
    const i = b.insns[j]!;
    if (defsOf(i).includes(t)) return i.op === "atomic" || defsOf(i).includes(x) ? -1 : j;
    if (defsOf(i).includes(x) || usesOfInsn(i).includes(x)) return -1;
  }
  return -1;
}

function tryCoalesce(
  f: IrFunction,
  b: Block,
  k: number,
  op: Extract<IrInsn, { op: "alu" }>,
  liveAfter: Set<VReg>,
): boolean {
  const x = op.dst;
  const t = op.a;
  if (t === x || f.params.includes(t) || liveAfter.has(t)) return false;
  if (op.b.kind === "reg" && (op.b.reg === x || op.b.reg === t)) return false;
  if (f.pointers.has(t) !== f.pointers.has(x)) return false;
  const def = definitionOf(b, k, t, x);
  if (def < 0) return false;
  const renamed = (v: VReg) => (v === t ? x : v);
  b.insns[def] = { ...b.insns[def]!, dst: x } as IrInsn;
  for (let j = def + 1; j < k; j++) b.insns[j] = mapUses(b.insns[j]!, renamed);
  b.insns[k] = { ...op, a: x };
  return true;
}

export function coalesceAccumulators(f: IrFunction): boolean {
  return walkBackward(f, (b, k, liveAfter) => {
    const op = b.insns[k]!;
    if (op.op !== "alu") return false;
    if (tryCoalesce(f, b, k, op, liveAfter)) return true;
    // The temporary may be operand b of a commutative operation.
    if (op.b.kind !== "reg" || !COMMUTATIVE.has(op.alu)) return false;
    return tryCoalesce(f, b, k, { ...op, a: op.b.reg, b: { kind: "reg", reg: op.a } }, liveAfter);
  });
}
