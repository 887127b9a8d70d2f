// Dead code: instructions whose result nobody reads (and that have no side
// effect: not a call, not a store) are removed, repeatedly, using liveness;
// unreachable blocks fall away with reachableBlocks.

import { defOf, type IrFunction, reachableBlocks, usesOf } from "../ir/ir.js";
import { liveness } from "../ir/liveness.js";

export function removeDeadCode(f: IrFunction): boolean {
  f.blocks = reachableBlocks(f);
  let changed = false;
  const { liveOut } = liveness(f);
  for (const b of f.blocks) {
    const live = new Set(liveOut.get(b));
    for (const r of usesOf(b.term)) live.add(r);
    const kept = [];
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const i = b.insns[k]!;
      const d = defOf(i);
      const effect =
        i.op === "call" ||
        i.op === "calllocal" ||
        i.op === "store" ||
        i.op === "callkfunc" ||
        i.op === "atomic";
      if (!effect && d !== undefined && !live.has(d)) {
        changed = true;
        continue;
      }
      if (d !== undefined) live.delete(d);
      for (const r of usesOf(i)) live.add(r);
      kept.push(i);
    }
    b.insns = kept.reverse();
  }
  return changed;
}
