// Unit tests of pointer strength reduction (opt/induction.ts) on hand-built
// IR. Each reduced function is run before and after the pass by a small IR
// evaluator over a packet of several lengths: the results must be equal, so
// a pointer that drifts from `base + i * s + k` fails here. The kernel tests
// (programs.test.ts, the bench corpus) check that the verifier accepts the
// reduced loops.

import { describe, expect, it } from "vitest";
import type { Block, IrFunction, IrInsn, Operand, Terminator } from "../../compiler/ir/ir.js";
import { imm, reachableBlocks, reg } from "../../compiler/ir/ir.js";
import { removeDeadCode } from "../../compiler/opt/dce.js";
import { reducePointerInductions } from "../../compiler/opt/induction.js";
import { naturalLoops } from "../../compiler/opt/loops.js";
import { block, fn } from "./ir-fixture.js";

const CTX = 0x1000;
const DATA = 0x2000;

/** Runs `f` with r(param 0) = ctx over `packet`; the value returned, or "fault". */
function evaluate(f: IrFunction, packet: number[]): bigint | "fault" {
  const regs = new Map<number, bigint>([[f.params[0]!, BigInt(CTX)]]);
  const get = (o: Operand) => (o.kind === "imm" ? o.value : (regs.get(o.reg) ?? 0n));
  const mask = (w: 32 | 64, v: bigint) => BigInt.asUintN(w, v);
  const load = (addr: bigint, size: number): bigint | undefined => {
    const a = Number(addr);
    if (a === CTX) return BigInt(DATA);
    if (a === CTX + 4) return BigInt(DATA + packet.length);
    if (a < DATA || a + size > DATA + packet.length) return undefined;
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(packet[a - DATA + k]!);
    return v;
  };
  let b: Block = f.entry;
  for (let steps = 0; steps < 10_000; steps++) {
    for (const i of b.insns) {
      if (i.op === "mov") regs.set(i.dst, mask(i.w, get(i.src)));
      else if (i.op === "alu") {
        const x = get(reg(i.a));
        const y = get(i.b);
        const ops: Record<string, bigint> = { add: x + y, sub: x - y, mul: x * y, shl: x << y };
        regs.set(i.dst, mask(i.w, ops[i.alu]!));
      } else if (i.op === "load") {
        const v = load(get(reg(i.base)) + BigInt(i.off), i.size);
        if (v === undefined) return "fault";
        regs.set(i.dst, v);
      } else if (i.op !== "call") throw new Error(`evaluate: ${i.op}`);
    }
    const t = b.term;
    if (t.op === "ret") return get(t.value);
    if (t.op === "jmp") {
      b = t.target;
      continue;
    }
    const x = mask(t.w, get(reg(t.a)));
    const y = mask(t.w, get(t.b));
    const conds: Record<string, boolean> = { ult: x < y, ule: x <= y, ugt: x > y, uge: x >= y };
    b = conds[t.cond]! ? t.then : t.else;
  }
  return "fault";
}

const alu = (dst: number, op: "add" | "mul" | "shl", a: number, b: Operand, w: 32 | 64 = 32) =>
  ({ op: "alu", w, alu: op, dst, a, b }) as IrInsn;
const mov = (dst: number, v: number): IrInsn => ({ op: "mov", w: 32, dst, src: imm(v) });
const br = (cond: "ult" | "ugt" | "uge", a: number, b: Operand, then: Block, els: Block, w = 64) =>
  ({ op: "br", w, cond, a, b, then, else: els }) as Terminator;

/**
 * csum_loop's shape: for (i = 0; i < 15; i++) { if (i >= n) break;
 * w = ctx.header<u16 x2>(k + i * scale); if (!w) return 1; sum += w.lo + w.hi }
 * with data loaded again in each iteration. v1 = n, v10 = sum, v11 = i.
 */
function wordLoop(opts: { scale?: number; k?: number; limit?: number; call?: boolean } = {}) {
  const { scale = 4, k = 14, limit = 15 } = opts;
  const out = block(20, [], { op: "ret", value: reg(10) });
  const fail = block(21, [], { op: "ret", value: imm(1) });
  const head = block(2, [], null as never);
  const body = block(3, [], null as never);
  const sum = block(4, [], null as never);
  const latch = block(5, [alu(11, "add", 11, imm(1))], br("ult", 11, imm(limit), head, out, 32));
  // n is the packet's first byte.
  const entry = block(
    0,
    [
      { op: "load", size: 4, dst: 30, base: 0, off: 0 },
      { op: "load", size: 1, dst: 1, base: 30, off: 0 },
      mov(10, 0),
      mov(11, 0),
    ],
    { op: "jmp", target: head },
  );
  head.term = br("uge", 11, reg(1), out, body, 32);
  body.insns = [
    alu(13, "mul", 11, imm(scale)),
    alu(13, "add", 13, imm(k)),
    { op: "load", size: 4, dst: 15, base: 0, off: 0 },
    alu(15, "add", 15, reg(13), 64),
    { op: "load", size: 4, dst: 2, base: 0, off: 4 },
    alu(16, "add", 15, imm(4), 64),
    ...(opts.call ? [{ op: "call", helper: 5, args: [] } as IrInsn] : []),
  ];
  body.term = br("ugt", 16, reg(2), fail, sum);
  sum.insns = [
    { op: "load", size: 2, dst: 17, base: 15, off: 0 },
    alu(10, "add", 10, reg(17)),
    { op: "load", size: 2, dst: 19, base: 15, off: 2 },
    alu(10, "add", 10, reg(19)),
  ];
  sum.term = { op: "jmp", target: latch };
  return fn([entry, head, body, sum, latch, out, fail], [0, 2, 15, 16, 30]);
}

const packets = [10, 14, 18, 26, 40, 80].flatMap((n) =>
  [2, 5, 15, 200].map((first) => [
    first,
    ...Array.from({ length: n - 1 }, (_, k) => (k * 37 + 11) & 0xff),
  ]),
);

function reducedAgrees(make: () => IrFunction): IrFunction {
  const before = packets.map((p) => evaluate(make(), p));
  const f = make();
  expect(reducePointerInductions(f)).toBe(true);
  expect(packets.map((p) => evaluate(f, p))).toEqual(before);
  return f;
}

describe("natural loops", () => {
  it("finds the loop of a header test and a rotated latch", () => {
    const f = wordLoop();
    const [loop, ...rest] = naturalLoops(f);
    expect(rest).toEqual([]);
    expect([...loop!.blocks].map((b) => b.id).sort()).toEqual([2, 3, 4, 5]);
    expect(loop!.header.id).toBe(2);
    expect(loop!.latches.map((b) => b.id)).toEqual([5]);
    expect(loop!.entries.map((b) => b.id)).toEqual([0]);
  });
});

describe("pointer strength reduction", () => {
  it("advances a pointer instead of recomputing data + 14 + i * 4", () => {
    const f = reducedAgrees(() => wordLoop());
    removeDeadCode(f);
    const body = f.blocks.find((b) => b.id === 3)!;
    expect(packets.map((p) => evaluate(f, p))).toEqual(packets.map((p) => evaluate(wordLoop(), p)));
    // No multiply, no data load left in the body: the view is a copy of the pointer.
    expect(body.insns.some((i) => i.op === "alu" && i.alu === "mul")).toBe(false);
    const view = body.insns.find((i) => "dst" in i && i.dst === 15)!;
    expect(view).toMatchObject({ op: "mov", w: 64 });
    expect(body.insns.filter((i) => i.op === "load")).toEqual([
      expect.objectContaining({ off: 4 }),
    ]);
    const q = (view as { src: { reg: number } }).src.reg;
    expect(f.pointers.has(q)).toBe(true);
    const latch = f.blocks.find((b) => b.id === 5)!;
    expect(latch.insns).toContainEqual(expect.objectContaining({ dst: q, a: q, b: imm(4) }));
    // The view is only checked (`+ 4 > data_end`) and read: the pointer is kept at the
    // checked end, data + 18 + 4i, and the loads reach back 4 bytes.
    const entry = f.blocks.find((b) => b.id === 0)!;
    expect(entry.insns.at(-1)).toMatchObject({ op: "alu", dst: q, b: imm(18) });
    expect(body.insns.find((i) => "dst" in i && i.dst === 16)).toMatchObject({ op: "mov" });
    const sum = f.blocks.find((b) => b.id === 4)!;
    expect(sum.insns.filter((i) => i.op === "load").map((i) => i.off)).toEqual([-4, -2]);
  });

  it("keeps the pointer at the view when the view is used otherwise", () => {
    // The view itself is returned on one path: it must hold data + 14 + 4i.
    const f = reducedAgrees(() => {
      const g = wordLoop();
      const fail = g.blocks.find((b) => b.id === 21)!;
      fail.term = { op: "ret", value: reg(15) };
      return g;
    });
    const entry = f.blocks.find((b) => b.id === 0)!;
    expect(entry.insns.at(-1)).toMatchObject({ op: "alu", b: imm(14) });
  });

  it("agrees for other scales and starts, and for a shift", () => {
    reducedAgrees(() => wordLoop({ scale: 2, k: 0 }));
    reducedAgrees(() => wordLoop({ scale: 1, k: 30, limit: 40 }));
    reducedAgrees(() => {
      const f = wordLoop();
      const body = f.blocks.find((b) => b.id === 3)!;
      body.insns[0] = alu(13, "shl", 11, imm(3), 64);
      return f;
    });
  });

  it("makes a preheader when the loop is entered by a branch", () => {
    const f = reducedAgrees(() => {
      const g = wordLoop();
      const entry = g.entry;
      const head = g.blocks.find((b) => b.id === 2)!;
      const out = g.blocks.find((b) => b.id === 20)!;
      entry.term = br("ugt", 1, imm(100), out, head, 32);
      return g;
    });
    expect(f.entry.term).toMatchObject({ op: "br" });
    const ph = (f.entry.term as { else: Block }).else;
    expect(ph.id).not.toBe(2);
    expect(ph.term).toMatchObject({ op: "jmp", target: { id: 2 } });
    expect(reachableBlocks(f)).toContain(ph);
  });

  it("leaves loops with calls, unbounded counters and offsets that may wrap", () => {
    expect(reducePointerInductions(wordLoop({ call: true }))).toBe(false);
    // i < n with n unknown: no bound on i.
    const unbounded = wordLoop();
    const latch = unbounded.blocks.find((b) => b.id === 5)!;
    latch.term = { ...(latch.term as Extract<Terminator, { op: "br" }>), b: reg(1) };
    expect(reducePointerInductions(unbounded)).toBe(false);
    // i * 0x20000000 wraps at 32 bits for i >= 8.
    expect(reducePointerInductions(wordLoop({ scale: 0x20000000 }))).toBe(false);
    expect(reducePointerInductions(wordLoop({ scale: 0x10000000, limit: 17 }))).toBe(false);
  });

  it("leaves an offset read before the increment and used after it", () => {
    const f = wordLoop();
    const body = f.blocks.find((b) => b.id === 3)!;
    const latch = f.blocks.find((b) => b.id === 5)!;
    // Move the increment between the offset's computation and the add.
    latch.insns = [];
    body.insns.splice(2, 0, alu(11, "add", 11, imm(1)));
    latch.term = br(
      "ult",
      11,
      imm(15),
      f.blocks.find((b) => b.id === 2)!,
      latch,
      32,
    );
    (latch.term as { else: Block }).else = f.blocks.find((b) => b.id === 20)!;
    expect(reducePointerInductions(f)).toBe(false);
  });

  it("leaves a counter incremented inside an inner loop", () => {
    const f = wordLoop();
    const sum = f.blocks.find((b) => b.id === 4)!;
    const latch = f.blocks.find((b) => b.id === 5)!;
    // sum: i += 1 while i < 3 (an inner loop around the increment).
    const inner = block(6, [alu(11, "add", 11, imm(1))], null as never);
    inner.term = br("ult", 11, imm(3), inner, latch, 32);
    sum.term = { op: "jmp", target: inner };
    latch.insns = [];
    expect(reducePointerInductions(f)).toBe(false);
  });
});
