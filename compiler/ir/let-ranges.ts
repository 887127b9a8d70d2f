// Value ranges of `let` locals. A `let` is one vreg assigned in many places,
// so its range is a flow-insensitive invariant: the join of the ranges of
// its initializer and of every value later written to it. Those writes are
// only seen while lowering, and a write may itself depend on the invariant
// (`off = off + 4` in a loop), so a function is lowered to a fixed point:
// each pass binds every `let` with the invariant the previous pass found,
// and records what was actually written. When every write stays inside the
// invariant it was lowered with, the pass is sound and is kept (its IR and
// its diagnostics); otherwise the invariants grow, and a `let` that still
// grows on the third try is widened to "unknown" (its type's range), so the
// loop ends after a few passes. Functions without `let` writes need one pass.
// These ranges serve lowering (dropped wraps, implicit narrowing); the bounds
// the verifier needs are proved path by path on the IR (range-check.ts),
// with these as the fallback when that walk runs out of budget.

import type { Node } from "ts-morph";
import { DiagnosticBag } from "../diagnostics/diagnostic.js";

export type Range = [bigint, bigint];
/** null: nothing known beyond the type's own range. */
type Known = Range | null;

function join(a: Known, b: Known): Known {
  if (!a || !b) return null;
  return [a[0] < b[0] ? a[0] : b[0], a[1] > b[1] ? a[1] : b[1]];
}

function within(inner: Known, outer: Known): boolean {
  if (!outer) return true;
  if (!inner) return false;
  return inner[0] >= outer[0] && inner[1] <= outer[1];
}

/** The invariants one lowering pass binds `let`s with, and what it saw written. */
export class LetRanges {
  /** The invariant each `let` was bound with in this pass. */
  private readonly used = new Map<Node, Known>();
  /** Join of the initializer and every write, in this pass. */
  private readonly written = new Map<Node, Known>();

  constructor(private readonly given: ReadonlyMap<Node, Known> | undefined) {}

  /** Bind a `let` whose initializer has range `init`; returns the range uses may assume. */
  bind(decl: Node, init: Known): Range | undefined {
    const inv = this.given?.has(decl) ? this.given.get(decl)! : init;
    this.used.set(decl, inv);
    this.written.set(decl, init);
    return inv ?? undefined;
  }

  /** A value with range `r` is written to `decl` (ignored for names that are not tracked lets). */
  write(decl: Node, r: Known): void {
    if (!this.written.has(decl)) return;
    this.written.set(decl, join(this.written.get(decl)!, r));
  }

  converged(): boolean {
    for (const [d, inv] of this.used) if (!within(this.written.get(d)!, inv)) return false;
    return true;
  }

  /** Invariants for the next pass; `widen` drops a still-growing range to unknown. */
  next(widen: boolean): Map<Node, Known> {
    const out = new Map<Node, Known>();
    for (const [d, inv] of this.used) {
      const w = this.written.get(d)!;
      out.set(d, within(w, inv) ? inv : widen ? null : join(inv, w));
    }
    return out;
  }

  /** Every `let` unknown: always a fixed point. */
  nothingKnown(): Map<Node, Known> {
    return new Map([...this.used.keys()].map((d) => [d, null]));
  }
}

/**
 * Run `lower` until the `let` invariants are a fixed point; only the last
 * pass's diagnostics reach `diags` (earlier passes may have assumed too much).
 * `finish` runs on the last pass's result only, before its diagnostics are
 * passed on: work whose verdict only matters for the kept pass (the
 * verifier-bounds walk, range-check.ts) is not repeated for discarded ones.
 */
export function lowerToFixedPoint<T>(
  diags: DiagnosticBag,
  lower: (bag: DiagnosticBag, ranges: LetRanges) => T,
  finish: (out: T) => void = () => {},
): T {
  let given: Map<Node, Known> | undefined;
  for (let pass = 0; ; pass++) {
    const bag = new DiagnosticBag();
    const ranges = new LetRanges(given);
    const out = lower(bag, ranges);
    if (ranges.converged()) {
      finish(out);
      for (const d of bag.items) diags.add(d);
      return out;
    }
    given = pass < 5 ? ranges.next(pass >= 2) : ranges.nothingKnown();
  }
}
