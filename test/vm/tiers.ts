// Test helper: the part of a run's result both tiers must agree on.

import type { RunResult } from "../../runtime/vm/index.js";

export type Outcome =
  | { r0: string; instructions: number }
  | { kind: string; pc: number; region: string | undefined; instructions: number };

export function outcome(r: RunResult): Outcome {
  return r.ok
    ? { r0: r.r0.toString(16), instructions: r.instructions }
    : {
        kind: r.fault.kind,
        pc: r.fault.pc,
        region: r.fault.region,
        instructions: r.instructions,
      };
}
