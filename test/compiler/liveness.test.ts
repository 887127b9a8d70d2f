// ir/liveness.ts reads each live set incrementally (only members added since
// the last read). Its sets, with their members in insertion order (the
// register allocator and the passes iterate them), must be those of plain
// round-robin sweeps that re-read every set: compared on random CFGs.

import { describe, expect, it } from "vitest";
import {
  type Block,
  defOf,
  type IrFunction,
  type IrInsn,
  reachableBlocks,
  reg,
  successors,
  usesOf,
  type VReg,
} from "../../compiler/ir/ir.js";
import { liveness } from "../../compiler/ir/liveness.js";
import { Rng } from "../fuzz/rng.js";
import { block, fn, ret } from "./ir-fixture.js";

/** Liveness by definition: sweep every block, re-reading every set, until nothing changes. */
function livenessBySweeps(f: IrFunction) {
  const order = reachableBlocks(f);
  const use = new Map<Block, Set<VReg>>();
  const def = new Map<Block, Set<VReg>>();
  for (const b of order) {
    const u = new Set<VReg>();
    const d = new Set<VReg>();
    for (const i of b.insns) {
      for (const r of usesOf(i)) if (!d.has(r)) u.add(r);
      const x = defOf(i);
      if (x !== undefined) d.add(x);
    }
    for (const r of usesOf(b.term)) if (!d.has(r)) u.add(r);
    use.set(b, u);
    def.set(b, d);
  }
  const liveIn = new Map(order.map((b) => [b, new Set<VReg>()]));
  const liveOut = new Map(order.map((b) => [b, new Set<VReg>()]));
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const b = order[k]!;
      const out = liveOut.get(b)!;
      for (const s of successors(b))
        for (const r of liveIn.get(s)!) if (!out.has(r)) (out.add(r), (changed = true));
      const inn = liveIn.get(b)!;
      for (const r of use.get(b)!) if (!inn.has(r)) (inn.add(r), (changed = true));
      for (const r of out) if (!def.get(b)!.has(r) && !inn.has(r)) (inn.add(r), (changed = true));
    }
  }
  return { order, liveIn, liveOut };
}

function randomFunction(rng: Rng, n: number, vregs: number): IrFunction {
  const v = () => rng.int(vregs);
  const blocks = Array.from({ length: n }, (_, id) => block(id, [], ret(0)));
  const pick = () => blocks[rng.int(n)]!;
  for (const b of blocks) {
    for (let k = rng.int(5); k > 0; k--) {
      const i: IrInsn =
        rng.int(2) === 0
          ? { op: "mov", w: 64, dst: v(), src: reg(v()) }
          : { op: "alu", w: 64, alu: "add", dst: v(), a: v(), b: reg(v()) };
      b.insns.push(i);
    }
    const t = rng.int(10);
    if (t < 2) b.term = { op: "ret", value: reg(v()) };
    else if (t < 5) b.term = { op: "jmp", target: pick() };
    else b.term = { op: "br", w: 64, cond: "ult", a: v(), b: reg(v()), then: pick(), else: pick() };
  }
  return fn(blocks);
}

/** Each block's set as its members in insertion order. */
const ordered = (m: Map<Block, Set<VReg>>) => [...m].map(([b, s]) => [b.id, [...s]]);

describe("liveness", () => {
  it("gives the sets, in the same member order, that full sweeps give", () => {
    const rng = new Rng(9);
    for (let t = 0; t < 1500; t++) {
      const f = randomFunction(rng, 1 + rng.int(t < 750 ? 6 : 30), 2 + rng.int(12));
      const got = liveness(f);
      const want = livenessBySweeps(f);
      expect(got.order).toEqual(want.order);
      expect(ordered(got.liveIn)).toEqual(ordered(want.liveIn));
      expect(ordered(got.liveOut)).toEqual(ordered(want.liveOut));
    }
  });
});
