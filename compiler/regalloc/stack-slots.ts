// Stack slot sharing, after register allocation: lowering gives every stack
// object (struct literal, map key or value slot, pop target, iterator) bytes
// of its own and the allocator gives every spilled vreg its own 8-byte slot,
// so a program with twenty map operations used twenty slots where clang uses
// one or two. Objects whose contents never matter at the same time
// (stack-interference.ts) are packed into the same bytes, first fit, largest
// first, at the alignment their accesses need (the verifier wants stack
// accesses aligned to their size; spill slots stay 8-byte aligned so a
// spilled pointer keeps its type). Then every `frame`, `spill` and `reload`
// offset is rewritten.
//
// Each use still writes its slot before handing it to a helper, so a reused
// slot is as initialized as a fresh one for the verifier.

import type { IrFunction } from "../ir/ir.js";
import { frameFacts, type FrameObject } from "./stack-objects.js";
import { stackInterference } from "./stack-interference.js";

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** Spill slots and objects of 8 bytes and up: 8; smaller ones: their size as a power of two. */
function alignmentOf(o: FrameObject): number {
  if (o.spillSlot || o.size >= 8) return 8;
  let a = 1;
  while (a < o.size) a *= 2;
  return a;
}

/**
 * Pack the stack of `f` (after register allocation, spill code included);
 * returns the bytes below r10 it now uses. `frameSize`: what it used before.
 */
export function packStackFrame(f: IrFunction, frameSize: number): number {
  if (process.env["TSBPF_NO_STACK_PACKING"]) return frameSize;
  const facts = frameFacts(f);
  if (!facts || facts.objects.length === 0) return frameSize;
  const graph = stackInterference(facts);

  /** Depth below r10 of each object's first byte: it sits at r10 - top. */
  const top = new Map<number, number>();
  const bySize = [...facts.objects].sort((a, b) => b.size - a.size || a.id - b.id);
  for (const o of bySize) {
    const size = Math.max(o.size, 1);
    const align = alignmentOf(o);
    const taken = [...graph.get(o.id)!]
      .filter((x) => top.has(x))
      .map((x) => ({ lo: top.get(x)! - Math.max(facts.objects[x]!.size, 1), hi: top.get(x)! }));
    const candidates = [roundUp(size, align), ...taken.map((t) => roundUp(t.hi + size, align))];
    const fits = (t: number) => taken.every((x) => t - size >= x.hi || t <= x.lo);
    top.set(o.id, Math.min(...candidates.filter(fits)));
  }
  const packed = roundUp(Math.max(0, ...top.values()), 8);
  if (packed > frameSize) return frameSize;

  const moved = (off: number, o: FrameObject) => -top.get(o.id)! + (off - o.off);
  const done = new Set<object>();
  for (const b of f.blocks)
    for (const i of b.insns) {
      if (done.has(i)) continue;
      done.add(i);
      if (i.op === "frame") {
        const id = facts.objectAt(i.off);
        if (id !== undefined) i.off = moved(i.off, facts.objects[id]!);
      } else if (i.op === "spill" || i.op === "reload") {
        const id = facts.slotAt.get(i.off);
        if (id !== undefined) i.off = moved(i.off, facts.objects[id]!);
      }
    }
  f.stackObjects = f.stackObjects.map((s, id) => ({ off: -top.get(id)!, size: s.size }));
  return packed;
}
