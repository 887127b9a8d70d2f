// Unit tests of the passes that shape loop bodies and stores on hand-built
// IR: accumulator coalescing, loop rotation, masks before narrow stores and
// constants known across blocks. The kernel tests (programs.test.ts, the
// bench corpus, the fuzz campaign) check that the results run.

import { describe, expect, it } from "vitest";
import type { Block, IrInsn, Terminator } from "../../compiler/ir/ir.js";
import { block, fn } from "./ir-fixture.js";
import { imm, reachableBlocks, reg } from "../../compiler/ir/ir.js";
import { coalesceAccumulators } from "../../compiler/opt/accumulate.js";
import { propagateConstants } from "../../compiler/opt/constprop.js";
import { storeUnmasked } from "../../compiler/opt/narrow-stores.js";
import { rotateLoops } from "../../compiler/opt/rotate-loops.js";

const alu = (
  dst: number,
  op: "add" | "xor" | "mul" | "sub" | "and",
  a: number,
  b: number | bigint,
) =>
  ({
    op: "alu",
    w: 32,
    alu: op,
    dst,
    a,
    b: typeof b === "bigint" ? imm(b) : reg(b),
  }) as IrInsn;

describe("accumulate", () => {
  it("computes h = (h ^ b) * K into h, not through a temporary", () => {
    // v2 = v1 ^ v3; v1 = v2 * K  ->  v1 = v1 ^ v3; v1 = v1 * K
    const b = block(0, [alu(2, "xor", 1, 3), alu(1, "mul", 2, 16777619n)], {
      op: "ret",
      value: reg(1),
    });
    expect(coalesceAccumulators(fn([b]))).toBe(true);
    expect(b.insns).toMatchObject([
      { dst: 1, a: 1, b: reg(3) },
      { dst: 1, a: 1, b: imm(16777619n) },
    ]);
  });

  it("turns a commutative x = c + t around, and keeps t when it is read later", () => {
    const turned = block(0, [alu(2, "add", 1, 4), alu(1, "add", 3, 2)], {
      op: "ret",
      value: reg(1),
    });
    expect(coalesceAccumulators(fn([turned]))).toBe(true);
    expect(turned.insns[1]).toMatchObject({ dst: 1, a: 1, b: reg(3) });
    const kept = block(0, [alu(2, "add", 1, 4), alu(1, "add", 2, 3)], {
      op: "ret",
      value: reg(2),
    });
    expect(coalesceAccumulators(fn([kept]))).toBe(false);
  });

  it("does not coalesce when x is read between, or is the other operand", () => {
    const readBetween = block(0, [alu(2, "add", 1, 4), alu(5, "add", 1, 1n), alu(1, "sub", 2, 5)], {
      op: "ret",
      value: reg(1),
    });
    expect(coalesceAccumulators(fn([readBetween]))).toBe(false);
    const other = block(0, [alu(2, "add", 4, 4), alu(1, "sub", 2, 1)], {
      op: "ret",
      value: reg(1),
    });
    expect(coalesceAccumulators(fn([other]))).toBe(false);
  });
});

describe("rotate-loops", () => {
  it("copies the loop test into the entry and the back edge; the entry copy folds", () => {
    // i = 0; head: if i < 32 goto body else exit; body: i += 1; goto head
    const exit = block(3, [], { op: "ret", value: reg(1) });
    const head = block(1, [], { op: "jmp", target: exit });
    const body = block(2, [alu(1, "add", 1, 1n)], { op: "jmp", target: head });
    head.term = { op: "br", w: 32, cond: "ult", a: 1, b: imm(32), then: body, else: exit };
    const entry = block(0, [{ op: "mov", w: 32, dst: 1, src: imm(0) }], {
      op: "jmp",
      target: head,
    });
    const f = fn([entry, head, body, exit]);
    expect(rotateLoops(f)).toBe(true);
    expect(body.term).toMatchObject({ op: "br", cond: "ult", then: body, else: exit });
    expect(f.blocks).not.toContain(head);
    propagateConstants(f);
    expect(entry.term).toMatchObject({ op: "jmp", target: body });
    // The body is laid out before the exit, so the back edge falls through to it.
    expect(reachableBlocks(f)).toEqual([entry, body, exit]);
  });

  it("leaves a test block that a branch reaches, or that is not in a loop", () => {
    const exit = block(3, [], { op: "ret", value: imm(0) });
    const test = block(1, [], {
      op: "br",
      w: 32,
      cond: "eq",
      a: 1,
      b: imm(0),
      then: exit,
      else: exit,
    });
    const a = block(2, [], { op: "jmp", target: test });
    const entry = block(0, [], {
      op: "br",
      w: 32,
      cond: "eq",
      a: 2,
      b: imm(0),
      then: a,
      else: test,
    });
    expect(rotateLoops(fn([entry, test, a, exit]))).toBe(false);
    const straight = block(0, [], { op: "jmp", target: test });
    expect(rotateLoops(fn([straight, test, exit]))).toBe(false);
  });
});

describe("narrow-stores", () => {
  it("stores the unmasked value when the mask keeps every stored byte", () => {
    const b = block(
      0,
      [
        alu(2, "and", 1, 0xffn),
        { op: "store", size: 1, base: 0, off: 22, src: reg(2) },
        alu(3, "and", 1, 0xffn),
        { op: "store", size: 2, base: 0, off: 24, src: reg(3) },
      ],
      { op: "ret", value: imm(0) },
    );
    expect(storeUnmasked(fn([b], [0]))).toBe(true);
    expect(b.insns[1]).toMatchObject({ src: reg(1) });
    // A u16 store of a value masked to 8 bits needs the mask.
    expect(b.insns[3]).toMatchObject({ src: reg(3) });
  });
});

describe("constprop across blocks", () => {
  it("uses a constant set on every path in, not one set on a single path", () => {
    const join = block(3, [alu(5, "add", 4, 2)], { op: "ret", value: reg(5) });
    const left = block(1, [{ op: "mov", w: 32, dst: 2, src: imm(7) }], {
      op: "jmp",
      target: join,
    });
    const right = block(2, [{ op: "mov", w: 32, dst: 2, src: imm(7) }], {
      op: "jmp",
      target: join,
    });
    const entry = block(0, [], {
      op: "br",
      w: 32,
      cond: "eq",
      a: 1,
      b: imm(0),
      then: left,
      else: right,
    });
    const f = fn([entry, left, right, join]);
    expect(propagateConstants(f)).toBe(true);
    expect(join.insns[0]).toMatchObject({ a: 4, b: imm(7) });
    (right.insns[0] as { src: unknown }).src = imm(8);
    join.insns[0] = alu(5, "add", 4, 2);
    propagateConstants(f);
    expect(join.insns[0]).toMatchObject({ a: 4, b: reg(2) });
  });

  it("drops a move of the value a register already holds and turns K < x around", () => {
    const next = block(1, [{ op: "mov", w: 32, dst: 1, src: imm(5) }], {
      op: "br",
      w: 32,
      cond: "ult",
      a: 1,
      b: reg(3),
      then: null as never,
      else: null as never,
    });
    const exit = block(2, [], { op: "ret", value: imm(0) });
    (next.term as { then: Block }).then = exit;
    (next.term as { else: Block }).else = exit;
    next.term = { ...next.term, else: block(4, [], { op: "ret", value: imm(1) }) } as Terminator;
    const entry = block(0, [{ op: "mov", w: 32, dst: 1, src: imm(5) }], {
      op: "jmp",
      target: next,
    });
    expect(propagateConstants(fn([entry, next, exit]))).toBe(true);
    expect(next.insns).toEqual([]);
    expect(next.term).toMatchObject({ cond: "ugt", a: 3, b: imm(5) });
  });
});
