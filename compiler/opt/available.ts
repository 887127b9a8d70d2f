// A forward "available facts" analysis over the CFG, shared by the passes
// that rewrite a read using something known on every path to it (copies,
// loads, pointer offsets). A fact is a key with a value; at a join a fact
// survives only if every predecessor has it with the same value. The
// transfer function kills and adds facts for one instruction.

import type { Block, IrFunction, IrInsn } from "../ir/ir.js";
import { reachableBlocks, successors } from "../ir/ir.js";

export type Facts<T> = Map<string, T>;

/** Facts holding at the start of each reachable block. */
export function availableAtEntry<T>(
  f: IrFunction,
  transfer: (facts: Facts<T>, i: IrInsn) => void,
  same: (a: T, b: T) => boolean,
): Map<Block, Facts<T>> {
  const blocks = reachableBlocks(f);
  const preds = new Map<Block, Block[]>(blocks.map((b) => [b, []]));
  for (const b of blocks) for (const s of successors(b)) preds.get(s)!.push(b);
  const out = new Map<Block, Facts<T>>();
  const inOf = (b: Block): Facts<T> => {
    if (b === f.entry) return new Map();
    let acc: Facts<T> | undefined;
    for (const p of preds.get(b)!) {
      const o = out.get(p);
      if (!o) continue; // not computed yet: optimistic (top)
      if (!acc) acc = new Map(o);
      else
        // Deleting the entry being visited is safe in a Map iteration (no copy needed).
        for (const [k, v] of acc) {
          const w = o.get(k);
          if (w === undefined || !same(v, w)) acc.delete(k);
        }
    }
    return acc ?? new Map();
  };
  // A block is only worked again when some predecessor's facts changed since:
  // inOf of unchanged predecessors, and so the block's own result, would be
  // the same (the transfer functions touch nothing but the facts).
  const index = new Map(blocks.map((b, k) => [b, k]));
  const predIndex = blocks.map((b) => preds.get(b)!.map((p) => index.get(p)!));
  const changedAt = blocks.map(() => -1);
  const doneAt = blocks.map(() => -1);
  let clock = 0;
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = 0; k < blocks.length; k++) {
      const done = doneAt[k]!;
      if (done >= 0 && predIndex[k]!.every((p) => changedAt[p]! < done)) continue;
      doneAt[k] = ++clock;
      const b = blocks[k]!;
      const facts = inOf(b);
      for (const i of b.insns) transfer(facts, i);
      const old = out.get(b);
      if (!old || differs(old, facts, same)) {
        out.set(b, facts);
        changedAt[k] = ++clock;
        changed = true;
      }
    }
  }
  return new Map(blocks.map((b) => [b, inOf(b)]));
}

function differs<T>(old: Facts<T>, facts: Facts<T>, same: (a: T, b: T) => boolean): boolean {
  if (old.size !== facts.size) return true;
  for (const [k, v] of facts) {
    const w = old.get(k);
    if (w === undefined || !same(v, w)) return true;
  }
  return false;
}
