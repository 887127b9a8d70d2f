// Unit tests of the optimizer passes on hand-built IR: what each may and
// must not rewrite. The kernel tests (programs.test.ts) check the result
// runs; these pin the conditions that keep it verifiable and correct.

import { describe, expect, it } from "vitest";
import type { IrInsn, Terminator } from "../../compiler/ir/ir.js";
import { block, fn, ret } from "./ir-fixture.js";
import { imm, reg } from "../../compiler/ir/ir.js";
import { coalesceCopies, propagateCopies } from "../../compiler/opt/copies.js";
import { foldOffsets } from "../../compiler/opt/fold-offsets.js";
import { reuseLoads } from "../../compiler/opt/load-reuse.js";
import { mergeReturns } from "../../compiler/opt/merge-returns.js";

describe("merge-returns", () => {
  it("sends both guards to one block per returned constant", () => {
    const r1 = block(1, [], ret(2));
    const r2 = block(2, [], ret(2));
    const r3 = block(3, [], ret(1));
    const mid = block(4, [], { op: "br", w: 32, cond: "eq", a: 0, b: imm(7), then: r2, else: r3 });
    const entry = block(0, [], {
      op: "br",
      w: 32,
      cond: "eq",
      a: 0,
      b: imm(5),
      then: r1,
      else: mid,
    });
    const f = fn([entry, r1, r2, r3, mid]);
    expect(mergeReturns(f)).toBe(true);
    const t = mid.term as Extract<Terminator, { op: "br" }>;
    expect(t.then).toBe(r1);
    expect(t.else).toBe(r3);
  });
});

describe("copies", () => {
  it("propagates a scalar copy and coalesces a loop update through a temporary", () => {
    // head: if v0 < 10 goto body else exit; body: v1 = v0; v2 = v1 + 1; v0 = v2; goto head
    const exit = block(3, [], { op: "ret", value: reg(0) });
    const head = block(1, [], { op: "jmp", target: exit });
    const body = block(
      2,
      [
        { op: "mov", w: 32, dst: 1, src: reg(0) },
        { op: "alu", w: 32, alu: "add", dst: 2, a: 1, b: imm(1) },
        { op: "mov", w: 32, dst: 0, src: reg(2) },
      ],
      { op: "jmp", target: head },
    );
    head.term = { op: "br", w: 32, cond: "ult", a: 0, b: imm(10), then: body, else: exit };
    const entry = block(0, [], { op: "jmp", target: head });
    const f = fn([entry, head, body, exit]);
    propagateCopies(f);
    expect(body.insns[1]).toMatchObject({ op: "alu", a: 0 });
    coalesceCopies(f);
    expect(body.insns.at(-1)).toMatchObject({ op: "alu", dst: 0, a: 0 });
    expect(body.insns.some((i) => i.op === "mov" && i.dst === 0)).toBe(false);
  });

  it("does not treat a pointer-to-scalar move or a zext truncation as a copy", () => {
    const b = block(
      0,
      [
        { op: "mov", w: 64, dst: 1, src: reg(0) }, // v0 pointer, v1 scalar
        { op: "mov", w: 32, dst: 2, src: reg(3), zext: true },
        { op: "alu", w: 64, alu: "add", dst: 4, a: 1, b: reg(2) },
      ],
      { op: "ret", value: reg(4) },
    );
    const f = fn([b], [0]);
    expect(propagateCopies(f)).toBe(false);
    expect(b.insns[2]).toMatchObject({ a: 1, b: reg(2) });
  });
});

describe("load-reuse", () => {
  const load = (dst: number, off: number): IrInsn => ({ op: "load", size: 1, dst, base: 0, off });
  it("reuses a load on every path and forgets it at an overlapping store or a call", () => {
    const b = block(
      0,
      [
        load(1, 9),
        load(2, 9),
        { op: "store", size: 2, base: 0, off: 8, src: imm(0) },
        load(3, 9),
        load(4, 20),
        { op: "call", helper: 5, args: [] },
        load(5, 20),
      ],
      { op: "ret", value: imm(0) },
    );
    const f = fn([b], [0]);
    expect(reuseLoads(f)).toBe(true);
    expect(b.insns.map((i) => i.op)).toEqual([
      "load",
      "mov",
      "store",
      "load",
      "load",
      "call",
      "load",
    ]);
  });

  it("reuses a pointer load only where no variable offset is added to it", () => {
    // v1, v2: data_end twice (reused); v3, v4: data twice, v4 starts a view at a variable offset.
    const b = block(
      0,
      [
        { op: "load", size: 4, dst: 1, base: 0, off: 4 },
        { op: "load", size: 4, dst: 2, base: 0, off: 4 },
        { op: "load", size: 4, dst: 3, base: 0, off: 0 },
        { op: "load", size: 4, dst: 4, base: 0, off: 0 },
        { op: "alu", w: 64, alu: "add", dst: 5, a: 4, b: reg(9) },
      ],
      { op: "ret", value: imm(0) },
    );
    expect(reuseLoads(fn([b], [0, 1, 2, 3, 4, 5]))).toBe(true);
    expect(b.insns.map((i) => i.op)).toEqual(["load", "mov", "load", "load", "alu"]);
  });
});

describe("fold-offsets", () => {
  it("addresses a header from the packet start, not from a copied pointer", () => {
    const b = block(
      0,
      [
        { op: "alu", w: 64, alu: "add", dst: 2, a: 1, b: imm(14) },
        { op: "alu", w: 64, alu: "add", dst: 3, a: 2, b: imm(20) },
        { op: "load", size: 1, dst: 4, base: 2, off: 9 },
      ],
      { op: "ret", value: reg(4) },
    );
    const f = fn([b], [1, 2, 3]);
    expect(foldOffsets(f)).toBe(true);
    expect(b.insns[1]).toMatchObject({ a: 1, b: imm(34) });
    expect(b.insns[2]).toMatchObject({ base: 1, off: 23 });
  });

  it("does not fold a scalar add", () => {
    const b = block(
      0,
      [
        { op: "alu", w: 64, alu: "add", dst: 2, a: 1, b: imm(14) },
        { op: "load", size: 1, dst: 4, base: 2, off: 9 },
      ],
      { op: "ret", value: reg(4) },
    );
    expect(foldOffsets(fn([b], []))).toBe(false);
  });
});
