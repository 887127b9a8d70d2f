// Jump threading and CFG cleanup. The pattern that matters most for BPF:
// `const h = ctx.header<T>(off); if (!h) return ...;` lowers to a join block
// that only tests h against null, reached from the bounds check (where h is
// a packet pointer, known non-null) and from the failure edge (where h was
// just set to 0). Each predecessor that knows h's value jumps straight to the
// right side, so the null test disappears and the code matches clang's.

import type { Block, IrFunction, VReg } from "../ir/ir.js";
import { reachableBlocks, successors } from "../ir/ir.js";

type Known = { zero: boolean } | undefined;

/** What the end of `b` knows about `r` being zero, from b's own instructions. */
function knownAtEnd(b: Block, r: VReg): Known {
  for (let k = b.insns.length - 1; k >= 0; k--) {
    const i = b.insns[k]!;
    if (!("dst" in i) || i.dst !== r) continue;
    if (i.nonNull) return { zero: false };
    if (i.op === "mov" && i.src.kind === "imm") return { zero: i.src.value === 0n };
    return undefined;
  }
  return undefined;
}

/** Point `p`'s edges to `from` at `to` instead. */
export function retarget(p: Block, from: Block, to: Block): void {
  const t = p.term;
  if (t.op === "jmp" && t.target === from) t.target = to;
  if (t.op === "br") {
    if (t.then === from) t.then = to;
    if (t.else === from) t.else = to;
  }
}

export function threadJumps(f: IrFunction): boolean {
  let changed = false;
  const blocks = reachableBlocks(f);
  const preds = new Map<Block, Block[]>();
  for (const b of blocks)
    for (const s of successors(b)) (preds.get(s) ?? preds.set(s, []).get(s)!).push(b);
  for (const b of blocks) {
    const t = b.term;
    // Empty blocks that only jump: forward their predecessors.
    if (b.insns.length === 0 && t.op === "jmp" && t.target !== b && b !== f.entry) {
      for (const p of preds.get(b) ?? []) {
        retarget(p, b, t.target);
        changed = true;
      }
      continue;
    }
    if (b.insns.length !== 0 || t.op !== "br" || (t.cond !== "eq" && t.cond !== "ne")) continue;
    if (t.b.kind !== "imm" || t.b.value !== 0n) continue;
    for (const p of preds.get(b) ?? []) {
      const k = knownAtEnd(p, t.a);
      if (!k) continue;
      const isEq = k.zero;
      const taken = t.cond === "eq" ? isEq : !isEq;
      retarget(p, b, taken ? t.then : t.else);
      changed = true;
    }
  }
  // Branches whose two sides agree become jumps.
  for (const b of reachableBlocks(f)) {
    const t = b.term;
    if (t.op === "br" && t.then === t.else)
      b.term = { op: "jmp", target: t.then, ...(t.source ? { source: t.source } : {}) };
  }
  f.blocks = reachableBlocks(f);
  return changed;
}
