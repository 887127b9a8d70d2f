// Backward liveness of vregs over the CFG: which vregs are live at the start
// and end of each block. Dead-code removal and the register allocator both
// build on it.

import {
  type Block,
  defOf,
  type IrFunction,
  reachableBlocks,
  successors,
  usesOf,
  type VReg,
} from "./ir.js";

export interface Liveness {
  order: Block[];
  liveIn: Map<Block, Set<VReg>>;
  liveOut: Map<Block, Set<VReg>>;
}

export function liveness(f: IrFunction): Liveness {
  const order = reachableBlocks(f);
  const use = new Map<Block, Set<VReg>>();
  const def = new Map<Block, Set<VReg>>();
  for (const b of order) {
    const u = new Set<VReg>();
    const d = new Set<VReg>();
    for (const i of b.insns) {
      for (const r of usesOf(i)) if (!d.has(r)) u.add(r);
      const x = defOf(i);
      if (x !== undefined) d.add(x);
    }
    for (const r of usesOf(b.term)) if (!d.has(r)) u.add(r);
    use.set(b, u);
    def.set(b, d);
  }
  const liveIn = new Map<Block, Set<VReg>>(order.map((b) => [b, new Set<VReg>()]));
  const liveOut = new Map<Block, Set<VReg>>(order.map((b) => [b, new Set<VReg>()]));
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const b = order[k]!;
      const out = liveOut.get(b)!;
      for (const s of successors(b))
        for (const r of liveIn.get(s) ?? [])
          if (!out.has(r)) {
            out.add(r);
            changed = true;
          }
      const inn = liveIn.get(b)!;
      const d = def.get(b)!;
      for (const r of use.get(b)!)
        if (!inn.has(r)) {
          inn.add(r);
          changed = true;
        }
      for (const r of out)
        if (!d.has(r) && !inn.has(r)) {
          inn.add(r);
          changed = true;
        }
    }
  }
  return { order, liveIn, liveOut };
}
