// Which block starts of the translating tier keep a `case` label of the
// dispatch switch, and which forward jumps become a `break` out of a
// labelled block instead of a trip through the switch.
//
// A jump by the switch (`pc = t; continue dispatch`) costs more than the
// jump itself: V8 loads and checks `pc`, bounds-checks it and jumps through
// a table, and every `case` label is a merge point with the switch, so
// the optimizing compiler forgets what it knew (the typed arrays' maps and
// lengths it checked, the loads it made) at each block. A parser's taken
// branches are mostly forward jumps to a shared exit, so most of its blocks
// need no label at all. Here the code is cut into regions, each starting
// at a label; inside a region, for every forward jump target t that is not
// a label, the region opens a block `L<t>: {` that closes just before t, so
// the jump is `break L<t>`. All of a region's blocks open at its start
// (outermost the farthest target), so they always nest.
//
// A slot keeps a label when something arrives there other than by falling
// through or by a forward jump from its own region: slot 0 and the dynamic
// targets (`extra`: run()'s entry, callx), a local call's target and the
// slot after it (returnLocal resumes there), the slot after callx, the
// subprograms `lddw rX, func` names (callbacks start there), back-edge
// targets (a region whose own blocks jump back to its start is a JS loop,
// see Structure.loops; one-block loops start there too), and the slot after an lddw
// whose second half is a dynamic target (it jumps over that label). A slot
// that is asked for and has no label is handed back by the switch's
// default, and the VM translates again with it in `extra` (compile.ts).

import type { Program } from "../vm/program.js";
import { isJumpOp } from "./blocks.js";

/** Labelled blocks open at once in one region, at most: V8 parses nested blocks recursively. */
export const MAX_NESTING = 64;

export interface Structure {
  /** Block starts that are `case` labels of the dispatch switch. */
  labels: Set<number>;
  /** Per label, the targets its region reaches by `break`, ascending. */
  blocks: Map<number, number[]>;
  /** Targets reached by `break` (each in exactly one region). */
  breakTargets: Set<number>;
  /**
   * Labels whose region jumps back to its own start: the region is a JS
   * loop `R<label>: for (;;)` and those jumps `continue R<label>` (a loop of
   * several blocks, which would otherwise go through the switch per iteration).
   */
  loops: Set<number>;
  /** The label of each slot's region. */
  region: Int32Array;
}

/** Forward jumps as [from, to] (conditional, unconditional and may_goto). */
function forwardJumps(p: Program): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < p.n; i++) {
    const op = p.ins[i * 4]! & 255;
    if (op === 0x18) {
      i++;
      continue;
    }
    const t = p.ins[i * 4 + 1]!;
    if (isJumpOp(op) && t > i && t <= p.n) out.push([i, t]);
  }
  return out;
}

function requiredLabels(p: Program, starts: number[], extra: Iterable<number>): Set<number> {
  const labels = new Set<number>([0]);
  const isStart = new Set(starts);
  for (const s of extra) labels.add(s);
  for (let i = 0; i < p.n; i++) {
    const w = p.ins[i * 4]!;
    const op = w & 255;
    const src = (w >> 12) & 15;
    if (op === 0x18) {
      if (src === 4) labels.add(i + 1 + p.ins[i * 4 + 2]!);
      // A block start inside the lddw: compile.ts jumps over it by the switch.
      if (isStart.has(i + 1)) labels.add(i + 2);
      i++;
      continue;
    }
    const t = p.ins[i * 4 + 1]!;
    if (isJumpOp(op) && t <= i) labels.add(t);
    if (op === 0x85 && src === 1) {
      labels.add(t);
      labels.add(i + 1);
    }
    if (op === 0x8d) labels.add(i + 1);
  }
  return new Set([...labels].filter((s) => isStart.has(s)));
}

/** The labels and the labelled blocks for a program whose block starts are `starts` (sorted). */
export function structure(p: Program, starts: number[], extra: Iterable<number>): Structure {
  const labels = requiredLabels(p, starts, extra);
  const jumps = forwardJumps(p);
  // Second halves of lddw: the code never has a label there (compile.ts
  // skips them), so a jump there goes by the switch, which hands it back.
  const inside = new Set<number>();
  for (let i = 0; i < p.n; i += (p.ins[i * 4]! & 255) === 0x18 ? 2 : 1) {
    if ((p.ins[i * 4]! & 255) === 0x18) inside.add(i + 1);
  }
  for (;;) {
    // The region of each slot: the label at or before it.
    const region = new Int32Array(p.n + 1);
    let current = 0;
    for (let i = 0; i <= p.n; i++) {
      if (labels.has(i) && !inside.has(i)) current = i;
      region[i] = current;
    }
    // A forward jump out of its region dispatches, so its target needs a label.
    let changed = false;
    const blocks = new Map<number, Set<number>>();
    for (const [from, to] of jumps) {
      if (labels.has(to) || inside.has(to)) continue;
      const r = region[from]!;
      if (region[to] !== r) {
        labels.add(to);
        changed = true;
        continue;
      }
      let set = blocks.get(r);
      if (set === undefined) blocks.set(r, (set = new Set()));
      set.add(to);
    }
    // Too many blocks open at once: split the region at every MAX_NESTING-th target.
    for (const set of blocks.values()) {
      if (set.size <= MAX_NESTING) continue;
      const sorted = [...set].sort((a, b) => a - b);
      for (let k = MAX_NESTING - 1; k < sorted.length; k += MAX_NESTING) labels.add(sorted[k]!);
      changed = true;
    }
    if (changed) continue;
    const loops = new Set<number>();
    for (let i = 0; i < p.n; i += (p.ins[i * 4]! & 255) === 0x18 ? 2 : 1) {
      const op = p.ins[i * 4]! & 255;
      const t = p.ins[i * 4 + 1]!;
      if (isJumpOp(op) && t <= i && t === region[i] && !inside.has(t)) loops.add(t);
    }
    const out = new Map<number, number[]>();
    const breakTargets = new Set<number>();
    for (const [r, set] of blocks) {
      out.set(
        r,
        [...set].sort((a, b) => a - b),
      );
      for (const t of set) breakTargets.add(t);
    }
    return { labels, blocks: out, breakTargets, loops, region };
  }
}
