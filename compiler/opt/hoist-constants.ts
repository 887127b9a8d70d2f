// A two-armed choice between constants, `v = c ? K1 : K2` (or an if/else
// that only sets v), lowers to a diamond: each arm sets v and jumps to the
// join, and one arm ends up out of line with a `goto` back. Setting v = K2
// before the branch and keeping only the K1 arm leaves one move, one branch
// and one move (`w3 = 0; if w2 < 0xffff goto +1; w3 = 1`), as clang emits.

import type { Block, IrFunction, IrInsn } from "../ir/ir.js";
import { reachableBlocks, successors, usesOf } from "../ir/ir.js";

/** The vreg and constant of an arm `v = K; jmp join`. */
function constantArm(b: Block): { insn: IrInsn; join: Block } | undefined {
  const [i] = b.insns;
  if (b.insns.length !== 1 || b.term.op !== "jmp") return undefined;
  if (i!.op !== "mov" || i!.src.kind !== "imm") return undefined;
  return { insn: i!, join: b.term.target };
}

export function hoistConstantArms(f: IrFunction): boolean {
  const blocks = reachableBlocks(f);
  const predCount = new Map<Block, number>();
  for (const b of blocks)
    for (const s of successors(b)) predCount.set(s, (predCount.get(s) ?? 0) + 1);
  let changed = false;
  for (const p of blocks) {
    const t = p.term;
    if (t.op !== "br" || t.then === t.else) continue;
    if (predCount.get(t.then) !== 1 || predCount.get(t.else) !== 1) continue;
    const a = constantArm(t.then);
    const e = constantArm(t.else);
    if (!a || !e || a.join !== e.join) continue;
    const v = "dst" in a.insn ? a.insn.dst : undefined;
    if (v === undefined || !("dst" in e.insn) || e.insn.dst !== v) continue;
    if (a.insn.op !== "mov" || e.insn.op !== "mov" || a.insn.w !== e.insn.w) continue;
    if (usesOf(t).includes(v)) continue;
    p.insns.push(e.insn);
    p.term = { ...t, else: e.join };
    changed = true;
  }
  if (changed) f.blocks = reachableBlocks(f);
  return changed;
}
