// Stage: optimize. Runs the cheap passes to a fixed point (bounded).

import type { IrFunction } from "../ir/ir.js";
import { propagateConstants } from "./constprop.js";
import { removeDeadCode } from "./dce.js";
import { mergeReturns } from "./merge-returns.js";
import { printIr } from "./print-ir.js";
import { threadJumps } from "./threading.js";

function simplify(f: IrFunction): void {
  for (let round = 0; round < 8; round++) {
    let changed = threadJumps(f);
    changed = propagateConstants(f) || changed;
    changed = removeDeadCode(f) || changed;
    changed = mergeReturns(f) || changed;
    if (!changed) break;
  }
}

export function optimize(f: IrFunction): void {
  simplify(f);
  if (process.env["TSBPF_DUMP_IR"]) console.error(printIr(f));
}
