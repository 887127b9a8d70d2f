// Loop rotation by tail duplication. A `for`/`while` loop lowers to a header
// block that only tests the condition, entered by a jump from the code before
// the loop and by the back edge at the end of each iteration, so every
// iteration runs `goto head; if !cond goto out`. When every way into such a
// header is a plain jump, each jump is replaced by a copy of the test: the
// iteration ends in one conditional branch back into the body (clang's
// rotated loop), and on entry the copied test often has a constant operand
// (`i = 0; i < 32`), which constant propagation then folds away.
//
// The instruction count never grows: the header's branch goes away, and each
// predecessor's jump becomes a branch (at most one of them fell through).

import type { Block, IrFunction } from "../ir/ir.js";
import { canReach, reachableBlocks, successors } from "../ir/ir.js";

/** Rotates one loop; false when no header qualifies. */
function rotateOne(f: IrFunction): boolean {
  const blocks = reachableBlocks(f);
  const preds = new Map<Block, Block[]>(blocks.map((b) => [b, []]));
  for (const b of blocks) for (const s of successors(b)) preds.get(s)!.push(b);
  for (const h of blocks) {
    const t = h.term;
    if (h === f.entry || h.insns.length !== 0 || t.op !== "br") continue;
    const ps = preds.get(h)!;
    if (ps.length === 0 || ps.some((p) => p.term.op !== "jmp" || p === h)) continue;
    if (!successors(h).some((s) => canReach(s, h))) continue;
    for (const p of ps) p.term = { ...t };
    return true;
  }
  return false;
}

export function rotateLoops(f: IrFunction): boolean {
  let changed = false;
  for (let n = f.blocks.length; n > 0 && rotateOne(f); n--) changed = true;
  if (changed) f.blocks = reachableBlocks(f);
  return changed;
}
