// Which stack objects may not share bytes. An object's contents matter at a
// point when some path reaches it from an access of the object (something
// was put there) and goes on to read bytes not overwritten first (it is
// still wanted): backward byte liveness, cut by forward reachability from
// the first access. The second half matters for objects a helper fills
// (a pop into a slot, bpf_iter_num_new): the call counts as a read, which
// alone would keep the object live back to the function's entry. Loops need
// nothing special: a read reached around a back edge keeps the object live
// across the whole loop. Two objects interfere when one is accessed while
// the other's contents matter just after, or when one instruction accesses
// both (a helper reading one and writing the other); this is the register
// allocator's rule, and covers every point where both matter.

import { type Block, successors } from "../ir/ir.js";
import type { Access, FrameFacts } from "./stack-objects.js";

/** Object id -> the ids it must not overlap. */
export type Interference = Map<number, Set<number>>;

export function stackInterference(facts: FrameFacts): Interference {
  const { objects, accesses, order, escaped } = facts;
  const n = objects.length;
  const graph: Interference = new Map(objects.map((o) => [o.id, new Set<number>()]));
  const edge = (a: number, b: number) => {
    if (a === b) return;
    graph.get(a)!.add(b);
    graph.get(b)!.add(a);
  };
  for (const a of escaped) for (const o of objects) edge(a, o.id);

  const preds = new Map<Block, Block[]>(order.map((b) => [b, []]));
  for (const b of order) for (const s of successors(b)) preds.get(s)?.push(b);
  const reached = reachedAtEntry(facts, preds);
  const liveOut = liveAtExit(facts);

  for (const b of order) {
    // Forward: which objects some access has reached before each instruction.
    const seen = new Set(reached.get(b)!);
    const seenAfter: Set<number>[] = [];
    for (const i of b.insns) {
      for (const a of accesses.get(i) ?? []) seen.add(a.obj);
      seenAfter.push(new Set(seen));
    }
    // Backward: bytes still wanted after each instruction.
    const live: bigint[] = [...liveOut.get(b)!];
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const acc = accesses.get(b.insns[k]!);
      if (!acc) continue;
      const after = seenAfter[k]!;
      for (const a of acc) {
        for (let o = 0; o < n; o++) if (live[o] !== 0n && after.has(o)) edge(a.obj, o);
        for (const x of acc) edge(a.obj, x.obj);
      }
      step(live, acc);
    }
  }
  return graph;
}

/** One instruction backward: written bytes are no longer wanted, read ones are. */
function step(live: bigint[], acc: Access[]): void {
  for (const a of acc) if (a.kills) live[a.obj] = live[a.obj]! & ~a.bytes;
  for (const a of acc) if (a.read) live[a.obj] = live[a.obj]! | a.bytes;
}

/** Bytes wanted at the end of each block, per object (backward dataflow to a fixed point). */
function liveAtExit(facts: FrameFacts): Map<Block, bigint[]> {
  const { objects, accesses, order } = facts;
  const zero = () => objects.map(() => 0n);
  const liveIn = new Map<Block, bigint[]>(order.map((b) => [b, zero()]));
  const liveOut = new Map<Block, bigint[]>(order.map((b) => [b, zero()]));
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const b = order[k]!;
      const out = liveOut.get(b)!;
      for (const s of successors(b)) {
        const sIn = liveIn.get(s);
        if (sIn) for (let o = 0; o < out.length; o++) out[o] = out[o]! | sIn[o]!;
      }
      const live = [...out];
      for (let j = b.insns.length - 1; j >= 0; j--) {
        const acc = accesses.get(b.insns[j]!);
        if (acc) step(live, acc);
      }
      const inn = liveIn.get(b)!;
      for (let o = 0; o < live.length; o++)
        if (live[o] !== inn[o]) {
          inn[o] = live[o]!;
          changed = true;
        }
    }
  }
  return liveOut;
}

/** Objects some access reaches on a path into each block (forward dataflow). */
function reachedAtEntry(facts: FrameFacts, preds: Map<Block, Block[]>): Map<Block, Set<number>> {
  const { accesses, order } = facts;
  const atEntry = new Map<Block, Set<number>>(order.map((b) => [b, new Set<number>()]));
  const atExit = new Map<Block, Set<number>>(order.map((b) => [b, new Set<number>()]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const b of order) {
      const inn = atEntry.get(b)!;
      for (const p of preds.get(b)!) for (const o of atExit.get(p)!) inn.add(o);
      const out = atExit.get(b)!;
      const add = (o: number) => {
        if (!out.has(o)) {
          out.add(o);
          changed = true;
        }
      };
      inn.forEach(add);
      for (const i of b.insns) for (const a of accesses.get(i) ?? []) add(a.obj);
    }
  }
  return atEntry;
}
