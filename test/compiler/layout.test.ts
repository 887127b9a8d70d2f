// Block layout (ir/reachableBlocks) on hand-built IR. The verifier walks a
// branch's fallthrough first, so the layout decides which path it sees
// first; test/fuzz/verifier-cost.test.ts checks what that costs in the kernel.

import { describe, expect, it } from "vitest";
import type { Block, Terminator } from "../../compiler/ir/ir.js";
import { imm, reachableBlocks } from "../../compiler/ir/ir.js";
import { block, fn, ret } from "./ir-fixture.js";

const br = (then: Block, otherwise: Block): Terminator => ({
  op: "br",
  w: 64,
  cond: "ugt",
  a: 1,
  b: imm(14),
  then,
  else: otherwise,
});

describe("layout", () => {
  it("lays an if's body out before the join, whichever side of the branch it is", () => {
    // `if (hdr) { x = hdr.f }`: lowering branches to the join when the bounds check fails.
    const join = block(2, [], ret(0));
    const body = block(1, [], { op: "jmp", target: join });
    const entry = block(0, [], br(join, body));
    expect(reachableBlocks(fn([entry, join, body]))).toEqual([entry, body, join]);
    const entry2 = block(0, [], br(body, join));
    expect(reachableBlocks(fn([entry2, join, body]))).toEqual([entry2, body, join]);
  });

  it("puts then before else in a diamond, the join after both", () => {
    const join = block(3, [], ret(0));
    const then = block(1, [], { op: "jmp", target: join });
    const other = block(2, [], { op: "jmp", target: join });
    const entry = block(0, [], br(then, other));
    expect(reachableBlocks(fn([entry, join, other, then]))).toEqual([entry, then, other, join]);
  });

  it("keeps a loop's blocks together and its exits after them", () => {
    // head: if (c) return; body: if (d) skip; skip: latch back to head or out to exit.
    const exit = block(5, [], ret(0));
    const early = block(4, [], ret(1));
    const head = block(1, [], ret(9)); // terminator set below (the loop closes over latch)
    const latch = block(3, [], br(head, exit));
    const skip = block(6, [], { op: "jmp", target: latch });
    const body = block(2, [], br(skip, latch));
    head.term = br(early, body);
    const entry = block(0, [], { op: "jmp", target: head });
    const order = reachableBlocks(fn([entry, exit, early, latch, skip, body, head]));
    expect(order.slice(0, 5)).toEqual([entry, head, body, skip, latch]);
    expect(new Set(order.slice(5))).toEqual(new Set([exit, early]));
  });
});
