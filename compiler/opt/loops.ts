// Natural loops of an IR function, for the passes that move work out of
// loop bodies. An edge b -> h is a back edge when h dominates b; the loop of
// h is h plus every block that reaches a back edge's source without passing
// through h. Lowering builds only structured control flow (if, for, while,
// break, continue, return), so every cycle has such a header.
//
// Dominators come from Cooper, Harvey and Kennedy's iterative algorithm over
// reverse postorder: linear in practice, and no block sets, so a function of
// thousands of blocks stays cheap.

import type { Block, IrFunction } from "../ir/ir.js";
import { reachableBlocks, successors } from "../ir/ir.js";

export interface Loop {
  header: Block;
  blocks: Set<Block>;
  /** Blocks of the loop with an edge back to the header. */
  latches: Block[];
  /** Predecessors of the header outside the loop (the ways in). */
  entries: Block[];
}

export function predecessors(blocks: Block[]): Map<Block, Block[]> {
  const preds = new Map<Block, Block[]>(blocks.map((b) => [b, []]));
  for (const b of blocks) for (const s of successors(b)) preds.get(s)?.push(b);
  return preds;
}

/** Reachable blocks in reverse postorder (every block after its dominators). */
function reversePostorder(entry: Block): Block[] {
  const post: Block[] = [];
  const seen = new Set<Block>([entry]);
  const stack: { b: Block; next: number }[] = [{ b: entry, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const succ = successors(top.b);
    if (top.next < succ.length) {
      const s = succ[top.next++]!;
      if (!seen.has(s)) {
        seen.add(s);
        stack.push({ b: s, next: 0 });
      }
    } else {
      post.push(top.b);
      stack.pop();
    }
  }
  return post.reverse();
}

/** Immediate dominator of every reachable block (the entry's is itself). */
function immediateDominators(entry: Block, preds: Map<Block, Block[]>): Map<Block, Block> {
  const rpo = reversePostorder(entry);
  const index = new Map(rpo.map((b, k) => [b, k]));
  const idom = new Map<Block, Block>([[entry, entry]]);
  const intersect = (a: Block, b: Block): Block => {
    while (a !== b) {
      while (index.get(a)! > index.get(b)!) a = idom.get(a)!;
      while (index.get(b)! > index.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of rpo) {
      if (b === entry) continue;
      let d: Block | undefined;
      for (const p of preds.get(b) ?? []) if (idom.has(p)) d = d ? intersect(p, d) : p;
      if (d && idom.get(b) !== d) {
        idom.set(b, d);
        changed = true;
      }
    }
  }
  return idom;
}

function dominates(idom: Map<Block, Block>, a: Block, b: Block): boolean {
  for (let x = b; ; x = idom.get(x)!) {
    if (x === a) return true;
    if (idom.get(x) === x) return false;
  }
}

/** Every natural loop of `f`, one per header (back edges to one header share it). */
export function naturalLoops(f: IrFunction): Loop[] {
  const blocks = reachableBlocks(f);
  const preds = predecessors(blocks);
  const idom = immediateDominators(f.entry, preds);
  const loops = new Map<Block, Loop>();
  for (const b of blocks)
    for (const h of successors(b)) {
      if (!dominates(idom, h, b)) continue;
      const loop = loops.get(h) ?? { header: h, blocks: new Set([h]), latches: [], entries: [] };
      loops.set(h, loop);
      loop.latches.push(b);
      const work = [b];
      while (work.length) {
        const x = work.pop()!;
        if (loop.blocks.has(x)) continue;
        loop.blocks.add(x);
        work.push(...preds.get(x)!);
      }
    }
  for (const loop of loops.values())
    loop.entries = preds.get(loop.header)!.filter((p) => !loop.blocks.has(p));
  return [...loops.values()];
}
