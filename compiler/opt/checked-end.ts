// A view that a loop advances through an induction pointer (induction.ts) is
// used as `end = view + S; if (end > data_end) fail` and then read at
// `view + k`. clang keeps its pointer at the checked end instead: the bounds
// check compares that pointer directly and the loads reach back
// (`view + k` is `end + (k - S)`), which saves a copy and an add in every
// iteration. The verifier accepts the negative offsets: the pointer's fixed
// offset from the packet start stays positive, and the check gives the range.

import type { Block, IrFunction, IrInsn, VReg } from "../ir/ir.js";
import { defOf, reg, usesOf } from "../ir/ir.js";

const S16 = (n: number) => n >= -32768 && n <= 32767;

/**
 * Whether the value `b.insns[k]` writes to v is overwritten in the block before
 * anything reads it (a defining add counts as a plain write: it is replaced).
 */
function deadDef(b: Block, k: number, v: VReg, defining: Set<IrInsn>): boolean {
  for (const i of b.insns.slice(k + 1)) {
    if (defining.has(i)) return defOf(i) === v;
    if (usesOf(i).includes(v)) return false;
    if (defOf(i) === v) return true;
  }
  return false;
}

/**
 * The S such that every use of the views is `x = view + S` (the same S) or a
 * load or store through the view, when `defining` (the instructions that set
 * the views) are their only definitions whose values are read; undefined
 * otherwise.
 */
export function commonEndOffset(
  f: IrFunction,
  views: Set<VReg>,
  defining: Set<IrInsn>,
): number | undefined {
  let end: number | undefined;
  const offsets: number[] = [];
  for (const b of f.blocks) {
    for (const [k, i] of b.insns.entries()) {
      const d = defOf(i);
      if (d !== undefined && views.has(d) && !defining.has(i) && !deadDef(b, k, d, defining))
        return undefined;
      // The defining adds read the views' old values only to replace them.
      if (defining.has(i) || !usesOf(i).some((u) => views.has(u))) continue;
      if (i.op === "alu" && i.alu === "add" && i.w === 64 && views.has(i.a) && i.b.kind === "imm") {
        const s = Number(BigInt.asIntN(64, i.b.value));
        if (end !== undefined && end !== s) return undefined;
        end = s;
      } else if (i.op === "load" && views.has(i.base)) offsets.push(i.off);
      else if (
        i.op === "store" &&
        views.has(i.base) &&
        !(i.src.kind === "reg" && views.has(i.src.reg))
      )
        offsets.push(i.off);
      else return undefined;
    }
    if (usesOf(b.term).some((u) => views.has(u))) return undefined;
  }
  if (end === undefined || end === 0) return undefined;
  return offsets.every((k) => S16(k - end!)) ? end : undefined;
}

/** The views now hold view + S: `x = view + S` becomes a copy, accesses move back by S. */
export function rebaseOnEnd(f: IrFunction, views: Set<VReg>, end: number): void {
  for (const b of f.blocks)
    b.insns = b.insns.map((i) => {
      if (i.op === "alu" && views.has(i.a))
        return {
          op: "mov",
          w: 64,
          dst: i.dst,
          src: reg(i.a),
          ...(i.nonNull ? { nonNull: true } : {}),
          ...(i.source ? { source: i.source } : {}),
        };
      if ((i.op === "load" || i.op === "store") && views.has(i.base))
        return { ...i, off: i.off - end };
      return i;
    });
}
