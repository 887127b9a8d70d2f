// Return merging: lowering gives every `return K` its own block, so each
// early exit costs `w0 = K; exit` at its site. Blocks that do nothing but
// return the same constant are merged into one, and every predecessor
// branches to it, the way clang shares one exit per result. Only constant
// returns merge: the block reads no register, so paths with different
// register contents (packet vs scalar, bounds already checked or not) can
// share it without the verifier seeing anything but `r0 = K; exit`.
// Before that, `v = K; jmp R` into a block that only does `ret v` returns K
// in place, so `cond ? A : B` in a return statement merges too.

import type { Block, IrFunction, VReg } from "../ir/ir.js";
import { defOf, reachableBlocks, successors } from "../ir/ir.js";
import { retarget } from "./threading.js";

/** Whether `b`'s last write of `v` is `v = K` (a constant). */
function constantAtEnd(b: Block, v: VReg): boolean {
  for (let k = b.insns.length - 1; k >= 0; k--) {
    const i = b.insns[k]!;
    if (defOf(i) !== v) continue;
    return i.op === "mov" && i.src.kind === "imm";
  }
  return false;
}

export function mergeReturns(f: IrFunction): boolean {
  let changed = false;
  // `v = K; jmp R` where R is only `ret v` (a `?:` in a return): return K
  // right there, so the constant return can join the others below.
  for (const b of reachableBlocks(f)) {
    const t = b.term;
    if (t.op !== "jmp" || t.target.insns.length !== 0) continue;
    const r = t.target.term;
    if (r.op !== "ret" || r.value.kind !== "reg" || !constantAtEnd(b, r.value.reg)) continue;
    b.term = { ...r, ...(t.source ? { source: t.source } : {}) };
    changed = true;
  }
  const blocks = reachableBlocks(f);
  const canonical = new Map<bigint, Block>();
  const replace = new Map<Block, Block>();
  for (const b of blocks) {
    const t = b.term;
    if (b === f.entry || b.insns.length !== 0 || t.op !== "ret" || t.value.kind !== "imm") continue;
    const first = canonical.get(t.value.value);
    if (first) replace.set(b, first);
    else canonical.set(t.value.value, b);
  }
  if (replace.size === 0) return changed;
  for (const b of blocks)
    for (const s of successors(b)) {
      const to = replace.get(s);
      if (to) retarget(b, s, to);
    }
  f.blocks = reachableBlocks(f);
  return true;
}
