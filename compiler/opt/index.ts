// Stage: optimize. Runs the cheap passes to a fixed point (bounded).

import type { IrFunction } from "../ir/ir.js";
import { propagateConstants } from "./constprop.js";
import { removeDeadCode } from "./dce.js";
import { threadJumps } from "./threading.js";

export function optimize(f: IrFunction): void {
  for (let round = 0; round < 8; round++) {
    let changed = threadJumps(f);
    changed = propagateConstants(f) || changed;
    changed = removeDeadCode(f) || changed;
    if (!changed) break;
  }
}
