// Copy propagation and copy coalescing on the (non-SSA) IR. Lowering copies
// freely: a header view starts as `h = data`, an update `x += 1` becomes
// `t = x; t2 = t + 1; x = t2`. The allocator's intervals have no holes, so it
// cannot give such a copy's two sides one register, and each becomes a mov.
//
// Forward: where `d = s` is available (on every path since the copy, neither
// d nor s was written), reads of d become reads of s, and dead-code removal
// drops the copy once nothing reads d. Backward: `t = op(...); ... x = t`,
// in one block, with t read nowhere else and x untouched in between, becomes
// `x = op(...)`.
//
// A copy counts only between two pointers or two scalars, so a packet
// pointer is never renamed to a scalar register (or the reverse). A 32-bit
// mov is a copy unless it is marked zext (a truncation): lowering keeps
// 32-bit values in their canonical 64-bit form, which isel relies on too
// when it drops a coalesced `w1 = w1`.

import {
  type Block,
  defOf,
  type IrFunction,
  type IrInsn,
  type Operand,
  type Terminator,
  usesOf,
  type VReg,
} from "../ir/ir.js";
import { liveness } from "../ir/liveness.js";
import { availableAtEntry, type Facts } from "./available.js";

type Copy = { d: VReg; s: VReg };

function isCopy(f: IrFunction, i: IrInsn): Copy | undefined {
  if (i.op !== "mov" || i.zext || i.src.kind !== "reg" || i.src.reg === i.dst) return undefined;
  if (f.pointers.has(i.dst) !== f.pointers.has(i.src.reg)) return undefined;
  return { d: i.dst, s: i.src.reg };
}

const key = (c: Copy) => `${c.d}:${c.s}`;

/** Rewrite the vregs an instruction reads (not the one it writes); always a new object. */
export function mapUses<T extends IrInsn | Terminator>(i: T, m: (v: VReg) => VReg): T {
  const o = (x: Operand): Operand => (x.kind === "reg" ? { kind: "reg", reg: m(x.reg) } : x);
  // One spread per instruction: this runs on every instruction of every copy pass.
  const x = i as IrInsn | Terminator;
  let r: IrInsn | Terminator;
  switch (x.op) {
    case "mov":
      r = { ...x, src: o(x.src) };
      break;
    case "alu":
      r = { ...x, a: m(x.a), b: o(x.b) };
      break;
    case "neg":
      r = { ...x, a: m(x.a) };
      break;
    case "movsx":
    case "swap":
      r = { ...x, src: m(x.src) };
      break;
    case "load":
      r = { ...x, base: m(x.base) };
      break;
    case "store":
      r = { ...x, base: m(x.base), src: o(x.src) };
      break;
    case "spill":
      r = { ...x, src: m(x.src) };
      break;
    case "call":
    case "calllocal":
    case "callkfunc":
      r = { ...x, args: x.args.map(o) };
      break;
    case "atomic":
      r = { ...x, base: m(x.base), src: m(x.src), ...(x.a !== undefined ? { a: m(x.a) } : {}) };
      break;
    case "br":
      r = { ...x, a: m(x.a), b: o(x.b) };
      break;
    case "ret":
      r = { ...x, value: o(x.value) };
      break;
    default:
      r = { ...x };
  }
  return r as T;
}

/** Atomic fetch ops write their src register too; treat every atomic as writing src and dst. */
export function defsOf(i: IrInsn): VReg[] {
  const d = defOf(i);
  const out = d !== undefined ? [d] : [];
  if (i.op === "atomic") out.push(i.src);
  return out;
}

function transfer(f: IrFunction, facts: Facts<Copy>, i: IrInsn): void {
  for (const d of defsOf(i))
    for (const [k, c] of facts) if (c.d === d || c.s === d) facts.delete(k);
  const c = isCopy(f, i);
  if (c) facts.set(key(c), c);
}

export function propagateCopies(f: IrFunction): boolean {
  const entry = availableAtEntry<Copy>(
    f,
    (facts, i) => transfer(f, facts, i),
    (a, b) => a.s === b.s,
  );
  let rewrote = false;
  for (const [b, facts] of entry) {
    const subst = (v: VReg): VReg => {
      for (const c of facts.values())
        if (c.d === v) {
          rewrote = true;
          return c.s;
        }
      return v;
    };
    // An instruction none of whose reads is a copy's destination stays the
    // same object: liveness (ir/liveness.ts) then knows the block did not change.
    const copied = (i: IrInsn | Terminator) =>
      usesOf(i).some((v) => {
        for (const c of facts.values()) if (c.d === v) return true;
        return false;
      });
    b.insns = b.insns.map((i) => {
      const x = copied(i) ? mapUses(i, subst) : i;
      transfer(f, facts, x);
      return x;
    });
    if (copied(b.term)) b.term = mapUses(b.term, subst);
  }
  return rewrote;
}

/**
 * Walks each block from its last instruction to its first, calling
 * `visit(b, k, liveAfter)` with the vregs live after instruction k. visit may
 * rewrite or remove instructions at k and before it (never after). One pass
 * is linear in the block, where a scan forward from every instruction was
 * quadratic (10k-statement functions).
 */
export function walkBackward(
  f: IrFunction,
  visit: (b: Block, k: number, liveAfter: Set<VReg>) => boolean,
): boolean {
  const { liveOut } = liveness(f);
  let changed = false;
  for (const b of f.blocks) {
    const live = new Set(liveOut.get(b));
    for (const v of usesOf(b.term)) live.add(v);
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const before = b.insns.length;
      if (visit(b, k, live)) changed = true;
      if (b.insns.length < before) continue; // the instruction at k went away
      const i = b.insns[k]!;
      for (const d of defsOf(i)) live.delete(d);
      for (const u of usesOfInsn(i)) live.add(u);
    }
  }
  return changed;
}

/** `t = op(...); ...; x = t` with t dead afterwards and x untouched between: write x directly. */
export function coalesceCopies(f: IrFunction): boolean {
  return walkBackward(f, (b, k, liveAfter) => {
    const mv = b.insns[k]!;
    const c = isCopy(f, mv);
    if (!c || f.params.includes(c.s)) return false;
    const { d: x, s: t } = c;
    // t must die here.
    if (liveAfter.has(t)) return false;
    // Find t's definition in this block, with x neither read nor written in between.
    let def = -1;
    for (let j = k - 1; j >= 0; j--) {
      const i = b.insns[j]!;
      if (defsOf(i).includes(t)) {
        def = i.op === "atomic" ? -1 : j;
        break;
      }
      if (defsOf(i).includes(x) || usesOfInsn(i).includes(x)) break;
    }
    if (def < 0) return false;
    const di = b.insns[def]!;
    const renamed = (v: VReg) => (v === t ? x : v);
    b.insns[def] = {
      ...di,
      dst: x,
      ...(mv.nonNull || di.nonNull ? { nonNull: true } : {}),
    } as IrInsn;
    for (let j = def + 1; j < k; j++) b.insns[j] = mapUses(b.insns[j]!, renamed);
    b.insns.splice(k, 1);
    return true;
  });
}

/** The vregs mapUses would visit, in its order: ir.ts usesOf (without rebuilding the instruction). */
export function usesOfInsn(i: IrInsn): VReg[] {
  return usesOf(i);
}
