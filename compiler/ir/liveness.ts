// Backward liveness of vregs over the CFG: which vregs are live at the start
// and end of each block. Dead-code removal and the register allocator both
// build on it.
//
// The optimizer calls this after nearly every pass, so it is incremental:
// live sets only grow, and a set keeps its members in insertion order, so
// each sweep only looks at the members added to a set since the last time it
// was read along the same edge (a cursor into the set's members). The sets,
// and the order their members were added in, are exactly those of the plain
// round-robin sweeps (all members re-read every time), which consumers may
// iterate: only the repeated reading is gone.

import {
  type Block,
  defOf,
  type IrFunction,
  type IrInsn,
  reachableBlocks,
  successors,
  type Terminator,
  usesOf,
  type VReg,
} from "./ir.js";

export interface Liveness {
  order: Block[];
  liveIn: Map<Block, Set<VReg>>;
  liveOut: Map<Block, Set<VReg>>;
}

/** A growing set of vregs with its members in insertion order, for reading from a cursor. */
class LiveSet {
  readonly set = new Set<VReg>();
  readonly members: VReg[] = [];

  add(r: VReg): boolean {
    if (this.set.has(r)) return false;
    this.set.add(r);
    this.members.push(r);
    return true;
  }
}

/**
 * What the last liveness of a function was computed from: the layout, each
 * block's instruction list (the instruction objects themselves), terminator
 * and successors. The passes never edit an instruction's operands in place
 * (they build new instruction objects), so equal references mean equal IR.
 */
interface Computed {
  order: Block[];
  insns: IrInsn[][];
  terms: Terminator[];
  /** Two successor slots per block. */
  edges: (Block | undefined)[];
  result: Liveness;
}

const computed = new WeakMap<IrFunction, Computed>();

/**
 * The optimizer asks after nearly every pass, and most passes change nothing
 * (every round of the fixed points in opt/index.ts ends with a full round
 * that changes nothing): an unchanged function gets its last answer again.
 * The sets are shared; no caller writes to them.
 */
export function liveness(f: IrFunction): Liveness {
  const order = reachableBlocks(f);
  const last = computed.get(f);
  if (last && unchanged(last, order))
    return { order, liveIn: last.result.liveIn, liveOut: last.result.liveOut };
  const result = computeLiveness(order);
  const edges: (Block | undefined)[] = [];
  for (const b of order) {
    const succ = successors(b);
    edges.push(succ[0], succ[1]);
  }
  computed.set(f, {
    order: order.slice(),
    insns: order.map((b) => b.insns.slice()),
    terms: order.map((b) => b.term),
    edges,
    result,
  });
  return result;
}

function unchanged(last: Computed, order: Block[]): boolean {
  if (last.order.length !== order.length) return false;
  for (let k = 0; k < order.length; k++) {
    const b = order[k]!;
    if (b !== last.order[k] || b.term !== last.terms[k]) return false;
    const t = b.term;
    const s0 = t.op === "jmp" ? t.target : t.op === "br" ? t.then : undefined;
    const s1 = t.op === "br" && t.then !== t.else ? t.else : undefined;
    if (s0 !== last.edges[2 * k] || s1 !== last.edges[2 * k + 1]) return false;
    const was = last.insns[k]!;
    const now = b.insns;
    if (was.length !== now.length) return false;
    for (let j = 0; j < now.length; j++) if (now[j] !== was[j]) return false;
  }
  return true;
}

function computeLiveness(order: Block[]): Liveness {
  const index = new Map<Block, number>(order.map((b, k) => [b, k]));
  const uses: VReg[][] = [];
  const defs: Set<VReg>[] = [];
  for (const b of order) {
    const u = new LiveSet();
    const d = new Set<VReg>();
    for (const i of b.insns) {
      for (const r of usesOf(i)) if (!d.has(r)) u.add(r);
      const x = defOf(i);
      if (x !== undefined) d.add(x);
    }
    for (const r of usesOf(b.term)) if (!d.has(r)) u.add(r);
    uses.push(u.members);
    defs.push(d);
  }
  const liveIn = order.map(() => new LiveSet());
  const liveOut = order.map(() => new LiveSet());
  // Every successor of a reachable block is reachable, so it has an index.
  const succ = order.map((b) => successors(b).map((s) => index.get(s)!));
  // How much of each successor's liveIn was read into liveOut (per edge), and of liveOut into liveIn.
  const readIn = succ.map((ss) => ss.map(() => 0));
  const readOut = order.map(() => 0);
  let changed = true;
  let first = true;
  while (changed) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const out = liveOut[k]!;
      const ss = succ[k]!;
      const read = readIn[k]!;
      for (let e = 0; e < ss.length; e++) {
        const from = liveIn[ss[e]!]!.members;
        for (let m = read[e]!; m < from.length; m++) if (out.add(from[m]!)) changed = true;
        read[e] = from.length;
      }
      const inn = liveIn[k]!;
      // A block's own uses are all in its liveIn after the first sweep.
      if (first) for (const r of uses[k]!) if (inn.add(r)) changed = true;
      const d = defs[k]!;
      const outs = out.members;
      for (let m = readOut[k]!; m < outs.length; m++) {
        const r = outs[m]!;
        if (!d.has(r) && inn.add(r)) changed = true;
      }
      readOut[k] = outs.length;
    }
    first = false;
  }
  return {
    order,
    liveIn: new Map(order.map((b, k) => [b, liveIn[k]!.set])),
    liveOut: new Map(order.map((b, k) => [b, liveOut[k]!.set])),
  };
}
