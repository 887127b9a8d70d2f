// reachableBlocks decides a branch's order from strongly connected
// components; the layout must be the one a reachability search per branch
// gives (layout.test.ts says why that layout). Random CFGs, both orders
// compared (the reference recurses: small graphs only), plus a loop of
// 100,000 blocks, which a quadratic or recursive layout would not survive.

import { describe, expect, it } from "vitest";
import {
  type Block,
  canReach,
  type IrFunction,
  reachableBlocks,
  successors,
} from "../../compiler/ir/ir.js";
import { Rng } from "../fuzz/rng.js";

/** The layout by definition: reverse postorder, one canReach search per two-way branch. */
function layoutBySearch(f: IrFunction): Block[] {
  const seen = new Set<Block>();
  const postorder: Block[] = [];
  const visit = (b: Block) => {
    seen.add(b);
    let succ = successors(b);
    if (succ.length === 2) {
      const [then, other] = succ as [Block, Block];
      succ = !canReach(then, b) && canReach(other, b) ? [then, other] : [other, then];
    }
    for (const s of succ) if (!seen.has(s)) visit(s);
    postorder.push(b);
  };
  visit(f.entry);
  return postorder.reverse();
}

function fn(blocks: Block[]): IrFunction {
  return {
    name: "f",
    params: [],
    blocks,
    entry: blocks[0]!,
    nextVreg: 1,
    frameSize: 0,
    stackObjects: [],
    pointers: new Set(),
  };
}

function randomCfg(rng: Rng, n: number): IrFunction {
  const blocks: Block[] = Array.from({ length: n }, (_, id) => ({
    id,
    insns: [],
    term: { op: "ret", value: { kind: "imm", value: 0n } },
  }));
  const pick = () => blocks[rng.int(n)]!;
  for (const b of blocks) {
    const k = rng.int(10);
    if (k < 2) continue; // ret
    if (k < 5) b.term = { op: "jmp", target: pick() };
    else
      b.term = {
        op: "br",
        w: 64,
        cond: "eq",
        a: 0,
        b: { kind: "imm", value: 0n },
        then: pick(),
        else: pick(),
      };
  }
  return fn(blocks);
}

describe("reachableBlocks", () => {
  it("lays out random CFGs as a reachability search per branch does", () => {
    const rng = new Rng(20261122);
    for (let t = 0; t < 2000; t++) {
      const f = randomCfg(rng, 1 + rng.int(t < 1000 ? 8 : 40));
      expect(reachableBlocks(f).map((b) => b.id)).toEqual(layoutBySearch(f).map((b) => b.id));
    }
  });

  it("takes a chain of 100,000 blocks in a loop", () => {
    const n = 100_000;
    const blocks: Block[] = Array.from({ length: n }, (_, id) => ({
      id,
      insns: [],
      term: { op: "ret", value: { kind: "imm", value: 0n } },
    }));
    for (let i = 0; i + 1 < n; i++) {
      const exit = blocks[n - 1]!;
      blocks[i]!.term =
        i === n - 2
          ? {
              op: "br",
              w: 64,
              cond: "eq",
              a: 0,
              b: { kind: "imm", value: 0n },
              then: exit,
              else: blocks[0]!,
            }
          : { op: "jmp", target: blocks[i + 1]! };
    }
    const order = reachableBlocks(fn(blocks));
    expect(order.length).toBe(n);
    // The loop's blocks together, its exit after them.
    expect(order.map((b) => b.id)).toEqual(blocks.map((b) => b.id));
  });
});
