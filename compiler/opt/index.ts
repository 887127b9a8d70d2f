// Stage: optimize. Runs the cheap passes to a fixed point (bounded), then
// the copy passes (after jump threading has seen lowering's null tests as
// written), then the cheap passes again on what they exposed.

import type { IrFunction } from "../ir/ir.js";
import { propagateConstants } from "./constprop.js";
import { coalesceAccumulators } from "./accumulate.js";
import { coalesceCopies, propagateCopies } from "./copies.js";
import { reducePointerInductions } from "./induction.js";
import { reuseLoads } from "./load-reuse.js";
import { foldOffsets } from "./fold-offsets.js";
import { removeDeadCode } from "./dce.js";
import { mergeReturns } from "./merge-returns.js";
import { storeUnmasked } from "./narrow-stores.js";
import { hoistConstantArms } from "./hoist-constants.js";
import { printIr } from "./print-ir.js";
import { rotateLoops } from "./rotate-loops.js";
import { threadJumps } from "./threading.js";

function simplify(f: IrFunction): void {
  for (let round = 0; round < 8; round++) {
    let changed = threadJumps(f);
    changed = rotateLoops(f) || changed;
    changed = propagateConstants(f) || changed;
    changed = removeDeadCode(f) || changed;
    changed = mergeReturns(f) || changed;
    changed = hoistConstantArms(f) || changed;
    if (!changed) break;
  }
}

export function optimize(f: IrFunction): void {
  simplify(f);
  for (let round = 0; round < 4; round++) {
    // Masks go before coalescing merges them into their operand. Coalesce
    // before propagating copies: copy propagation would otherwise turn the
    // reads of a variable after `x = t` into reads of t, and t could no
    // longer merge into x.
    let changed = reducePointerInductions(f);
    changed = storeUnmasked(f) || changed;
    changed = reuseLoads(f) || changed;
    changed = foldOffsets(f) || changed;
    changed = coalesceCopies(f) || changed;
    changed = coalesceAccumulators(f) || changed;
    changed = propagateCopies(f) || changed;
    changed = removeDeadCode(f) || changed;
    changed = coalesceCopies(f) || changed;
    changed = coalesceAccumulators(f) || changed;
    if (!changed) break;
    simplify(f);
  }
  if (process.env["TSBPF_DUMP_IR"]) console.error(printIr(f));
}
