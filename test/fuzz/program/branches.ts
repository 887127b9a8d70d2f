// How many conditional points the verifier walks along one path through
// generated code, the measure of the loop budget (stmts.ts LOOP_BRANCHES).
// The verifier walks every iteration of a bounded loop; a loop-carried
// variable that a branch in the body sets to different constants (`x ^= i`
// on one side, `x -= 6` on the other) is tracked precisely as soon as any
// later branch compares it, and then no two iterations' states prune against
// each other: the states multiply by the body's paths once per iteration.
// Fuzz finding verifier-801e58d321de (5 trips of a body with 15 such
// points, the two called functions' included) went past the 1,000,000
// processed-instruction limit with tsbpf's object and with clang-19's for the
// same C alike (regressions/program/c/), so the limit is the program's.

import type { ProgramDecls } from "./scope.js";
import type { Node } from "./source.js";

/** A generated loop: its conditional points per iteration (its test included) and its trips. */
export interface LoopShape {
  points: number;
  trips: number;
  /** The trips drawn before the budget cut them. */
  drawn: number;
}

/** Loop blocks already weighed (set by stmts.ts loop), by their block node. */
const loopShapes = new WeakMap<Node, LoopShape>();

export function setLoopShape(loop: Node, shape: LoopShape): void {
  loopShapes.set(loop, shape);
}

/** `if (`, `?:`, `&&`, `||`, `case` and calls of local functions (weighed by their bodies). */
function textPoints(d: ProgramDecls, text: string): number {
  let n = (text.match(/\bif \(|\?|&&|\|\||\bcase\b/g) ?? []).length;
  for (const f of d.fns) n += (text.split(`${f.name}(`).length - 1) * f.branches;
  return n;
}

/** Conditional points in `nodes`, a nested loop counted once per trip. */
export function branchPoints(d: ProgramDecls, nodes: readonly Node[]): number {
  let n = 0;
  for (const node of nodes) {
    if (node.kind === "line") {
      n += textPoints(d, node.text);
      continue;
    }
    const loop = loopShapes.get(node);
    if (loop) {
      n += loop.points * loop.trips;
      continue;
    }
    n += textPoints(d, node.head) + branchPoints(d, node.body);
    if (node.orElse) n += branchPoints(d, node.orElse);
    if (node.tail) n += textPoints(d, node.tail);
  }
  return n;
}

/** Every loop in `nodes` (generated in this process), outer ones first. */
export function loopsIn(nodes: readonly Node[], out: LoopShape[] = []): LoopShape[] {
  for (const node of nodes) {
    if (node.kind === "line") continue;
    const loop = loopShapes.get(node);
    if (loop) out.push(loop);
    loopsIn(node.body, out);
    if (node.orElse) loopsIn(node.orElse, out);
  }
  return out;
}
