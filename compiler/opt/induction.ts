// Strength reduction of pointers into an induction variable. A header view
// or an array element at a loop counter's offset, `ctx.header<W>(14 + i * 4)`
// or `p.b[i]`, lowers to `o = i * 4 + 14; d = data + o` in every iteration
// (with data loaded again there: ir/packet-bounds.ts). clang keeps a pointer
// that advances by 4 instead. Here, for a counter i whose only change in the
// loop is `i += c`, a new pointer q = base + (i0 * s + k) is set before the
// loop, `q += c * s` follows the increment, and `d = base + (i * s + k)`
// becomes `d = q`; dead-code removal then drops the offset arithmetic (and
// the data load, whose copy now sits before the loop).
//
// Exact only if no step wraps, so i needs a bound: it starts at a known
// constant on every way in, and every back edge is taken only while
// `i < K` (or <=), tested after the increment. Then i stays within
// [i0, max(i0, K - 1) + c] in the loop, and every value of the offset chain
// is checked to fit its operation's width there. The increment must run at
// most once per iteration (not in an inner loop).
//
// For the verifier, q is the base plus a constant that grows by c * s per
// iteration, as clang's pointer is: each iteration's bounds check marks the
// range on q's id. When the views are only checked (`view + S > data_end`)
// and accessed, q is kept at view + S instead (checked-end.ts). Loops with calls are left alone: a helper that moves
// packet data would invalidate a packet pointer kept across it.

import type { Block, IrFunction, IrInsn, VReg, Width } from "../ir/ir.js";
import { imm, reg } from "../ir/ir.js";
import { commonEndOffset, rebaseOnEnd } from "./checked-end.js";
import { constantsAtEnd } from "./constprop.js";
import { defsOf } from "./copies.js";
import { type Loop, naturalLoops } from "./loops.js";

const MASK: Record<Width, bigint> = { 32: 0xffffffffn, 64: (1n << 64n) - 1n };
/** Largest immediate an ALU instruction takes (a signed 32-bit field). */
const IMM_MAX = 0x7fffffffn;

interface Induction {
  iv: VReg;
  /** The increment `iv += step`, and its block. */
  inc: IrInsn;
  incBlock: Block;
  step: bigint;
  /** Values iv takes anywhere in the loop. */
  lo: bigint;
  hi: bigint;
}

/** `off = iv * scale + add` read from the induction variable. */
interface Affine {
  ind: Induction;
  scale: bigint;
  add: bigint;
}

/** Where the base of a reduced pointer comes from before the loop. */
type BaseSource = { kind: "vreg"; reg: VReg } | { kind: "load"; from: VReg; off: number };

interface Candidate {
  block: Block;
  insn: IrInsn;
  base: BaseSource;
  offset: Affine;
}

const CALLS = new Set(["call", "calllocal", "callkfunc", "atomic"]);

/** The largest value iv may have at the header, from the latch tests; undefined when unbounded. */
function headerBound(loop: Loop, iv: VReg, w: Width, init: bigint): bigint | undefined {
  let bound = init;
  for (const latch of loop.latches) {
    const t = latch.term;
    if (t.op !== "br" || t.a !== iv || t.b.kind !== "imm" || t.then === t.else) return undefined;
    if (t.w < w) return undefined;
    // The condition under which the latch goes back to the header.
    const back = t.then === loop.header;
    if (!back && t.else !== loop.header) return undefined;
    const k = BigInt.asUintN(t.w, t.b.value);
    const limits: Record<string, bigint> = back
      ? { ult: k - 1n, ule: k, slt: k - 1n, sle: k }
      : { uge: k - 1n, ugt: k, sge: k - 1n, sgt: k };
    const limit = limits[t.cond];
    if (limit === undefined || limit < 0n) return undefined;
    // Signed tests agree with unsigned ones only below the sign bit.
    if (t.cond.startsWith("s") && limit >= 1n << BigInt(t.w - 1)) return undefined;
    if (limit > bound) bound = limit;
  }
  return bound;
}

function inductionOf(
  f: IrFunction,
  loop: Loop,
  inner: Loop[],
  iv: VReg,
  defs: { b: Block; i: IrInsn }[],
  entryConstants: Map<VReg, bigint>[],
): Induction | undefined {
  if (f.pointers.has(iv)) return undefined;
  const adds = defs.filter(({ i }) => i.op === "alu" && i.alu === "add");
  if (adds.length !== 1) return undefined;
  const { b: incBlock, i: inc } = adds[0]!;
  if (inc.op !== "alu" || inc.a !== iv || inc.b.kind !== "imm") return undefined;
  // Other defs may only be `iv = iv` (a 32-bit mov that keeps a 32-bit value as it is).
  const others = defs.filter(({ i }) => i !== inc);
  if (!others.every(({ i }) => i.op === "mov" && i.src.kind === "reg" && i.src.reg === iv))
    return undefined;
  if (others.length && inc.w !== 32) return undefined;
  if (inner.some((l) => l.blocks.has(incBlock))) return undefined;
  const step = BigInt.asIntN(inc.w, inc.b.value);
  if (step <= 0n) return undefined;
  const inits = entryConstants.map((c) => c.get(iv));
  const init = inits[0];
  if (init === undefined || inits.some((v) => v !== init) || init > MASK[inc.w]) return undefined;
  const bound = headerBound(loop, iv, inc.w, init);
  if (bound === undefined || bound + step > MASK[inc.w]) return undefined;
  return { iv, inc, incBlock, step, lo: init, hi: bound + step };
}

/**
 * The offset in `v` just before instruction `at` of `b`, as an affine function
 * of an induction variable, when it is computed in this block by exact
 * (non-wrapping) steps from the induction variable's current value.
 */
function affineAt(
  b: Block,
  at: number,
  v: VReg,
  inductions: Map<VReg, Induction>,
): { a: Affine; readAt: number } | undefined {
  const ind = inductions.get(v);
  if (ind) return { a: { ind, scale: 1n, add: 0n }, readAt: at };
  let j = at - 1;
  while (j >= 0 && !defsOf(b.insns[j]!).includes(v)) j--;
  if (j < 0) return undefined;
  const d = b.insns[j]!;
  let src: VReg;
  let mul = 1n;
  let add = 0n;
  let w: Width;
  if (d.op === "mov" && d.src.kind === "reg") {
    src = d.src.reg;
    w = d.w;
  } else if (d.op === "alu" && d.b.kind === "imm") {
    src = d.a;
    w = d.w;
    const k = BigInt.asIntN(d.w, d.b.value);
    if (d.alu === "add") add = k;
    else if (d.alu === "sub") add = -k;
    else if (d.alu === "mul" && k >= 0n) mul = k;
    else if (d.alu === "shl" && k >= 0n && k < BigInt(d.w)) mul = 1n << k;
    else return undefined;
  } else return undefined;
  const inner = affineAt(b, j, src, inductions);
  if (!inner) return undefined;
  const a: Affine = { ind: inner.a.ind, scale: inner.a.scale * mul, add: inner.a.add * mul + add };
  // Exact when the input and the result stay within [0, 2^w) for every value of iv.
  const fits = (x: Affine) =>
    x.add + x.scale * x.ind.lo >= 0n && x.add + x.scale * x.ind.hi <= MASK[w];
  if (!fits(inner.a) || !fits(a)) return undefined;
  return { a, readAt: inner.readAt };
}

/** The pointer adds `d = base + off` of the loop whose offset follows an induction variable. */
function candidates(
  f: IrFunction,
  loop: Loop,
  inductions: Map<VReg, Induction>,
  definedInLoop: Set<VReg>,
): Candidate[] {
  const out: Candidate[] = [];
  const ctxStores = new Set<VReg>();
  for (const b of loop.blocks) for (const i of b.insns) if (i.op === "store") ctxStores.add(i.base);
  for (const b of loop.blocks)
    b.insns.forEach((i, k) => {
      if (i.op !== "alu" || i.alu !== "add" || i.w !== 64 || i.b.kind !== "reg") return;
      if (!f.pointers.has(i.dst) || !f.pointers.has(i.a) || f.pointers.has(i.b.reg)) return;
      const found = affineAt(b, k, i.b.reg, inductions);
      if (!found) return;
      // The increment must not come between the read of iv and this add.
      const { ind } = found.a;
      if (b === ind.incBlock) {
        const inc = b.insns.indexOf(ind.inc);
        if (inc >= found.readAt && inc < k) return;
      }
      const base = baseSource(b, k, i.a, definedInLoop, ctxStores);
      if (base) out.push({ block: b, insn: i, base, offset: found.a });
    });
  return out;
}

/**
 * The base pointer's value before the loop: the vreg itself when the loop
 * does not write it, or a context load (data) repeated before the loop when
 * the loop reloads it from an unchanging context (no calls, no stores to it).
 */
function baseSource(
  b: Block,
  at: number,
  base: VReg,
  definedInLoop: Set<VReg>,
  stored: Set<VReg>,
): BaseSource | undefined {
  if (!definedInLoop.has(base)) return { kind: "vreg", reg: base };
  let j = at - 1;
  while (j >= 0 && !defsOf(b.insns[j]!).includes(base)) j--;
  const d = b.insns[j];
  if (!d || d.op !== "load" || d.size !== 4) return undefined;
  if (definedInLoop.has(d.base) || stored.has(d.base)) return undefined;
  return { kind: "load", from: d.base, off: d.off };
}

/** A block that runs right before the header on every way in (made if needed). */
function preheader(f: IrFunction, loop: Loop): Block {
  const [only] = loop.entries;
  if (loop.entries.length === 1 && only!.term.op === "jmp") return only!;
  const ph: Block = {
    id: Math.max(...f.blocks.map((b) => b.id)) + 1,
    insns: [],
    term: { op: "jmp", target: loop.header },
  };
  for (const e of loop.entries) {
    const t = e.term;
    if (t.op === "jmp") e.term = { ...t, target: ph };
    else if (t.op === "br")
      e.term = {
        ...t,
        then: t.then === loop.header ? ph : t.then,
        else: t.else === loop.header ? ph : t.else,
      };
  }
  f.blocks.push(ph);
  return ph;
}

function reduceLoop(f: IrFunction, loop: Loop, all: Loop[]): boolean {
  const defs = new Map<VReg, { b: Block; i: IrInsn }[]>();
  for (const b of loop.blocks)
    for (const i of b.insns) {
      if (CALLS.has(i.op)) return false;
      for (const d of defsOf(i)) defs.set(d, [...(defs.get(d) ?? []), { b, i }]);
    }
  if (loop.entries.length === 0) return false;
  const inner = all.filter((l) => l !== loop && loop.blocks.has(l.header));
  const atEnd = constantsAtEnd(f);
  const entryConstants = loop.entries.map((e) => atEnd.get(e) ?? new Map<VReg, bigint>());
  const inductions = new Map<VReg, Induction>();
  for (const [v, ds] of defs) {
    const ind = inductionOf(f, loop, inner, v, ds, entryConstants);
    if (ind) inductions.set(v, ind);
  }
  if (inductions.size === 0) return false;
  const found = candidates(f, loop, inductions, new Set(defs.keys()));
  if (found.length === 0) return false;

  // One new pointer per (base, iv, scale, add); the adds sharing it become copies.
  const groups = new Map<string, Candidate[]>();
  for (const c of found) {
    const base = c.base.kind === "vreg" ? `v${c.base.reg}` : `l${c.base.from}:${c.base.off}`;
    const key = `${base}/${c.offset.ind.iv}/${c.offset.scale}/${c.offset.add}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  let changed = false;
  let ph: Block | undefined;
  for (const group of groups.values()) {
    const { base, offset, insn } = group[0]!;
    const { ind } = offset;
    // Kept at the views' checked end when that is all they are used for besides accesses.
    const views = new Set(group.map((c) => (c.insn as { dst: VReg }).dst));
    const replaced = new Set(group.map((c) => c.insn));
    const end = commonEndOffset(f, views, replaced) ?? 0;
    const start = offset.scale * ind.lo + offset.add + BigInt(end);
    const advance = offset.scale * ind.step;
    if (start > IMM_MAX || advance > IMM_MAX) continue;
    const at = insn.source ? { source: insn.source } : {};
    ph ??= preheader(f, loop);
    const q = f.nextVreg++;
    f.pointers.add(q);
    let from: VReg;
    if (base.kind === "vreg") from = base.reg;
    else {
      from = f.nextVreg++;
      f.pointers.add(from);
      ph.insns.push({ op: "load", size: 4, dst: from, base: base.from, off: base.off, ...at });
    }
    ph.insns.push(
      start === 0n
        ? { op: "mov", w: 64, dst: q, src: reg(from), nonNull: true, ...at }
        : { op: "alu", w: 64, alu: "add", dst: q, a: from, b: imm(start), nonNull: true, ...at },
    );
    const incAt = ind.incBlock.insns.indexOf(ind.inc);
    ind.incBlock.insns.splice(incAt + 1, 0, {
      op: "alu",
      w: 64,
      alu: "add",
      dst: q,
      a: q,
      b: imm(advance),
      nonNull: true,
      ...(ind.inc.source ? { source: ind.inc.source } : {}),
    });
    for (const c of group) {
      const k = c.block.insns.indexOf(c.insn);
      const d = c.insn.op === "alu" ? c.insn.dst : q;
      c.block.insns[k] = {
        op: "mov",
        w: 64,
        dst: d,
        src: reg(q),
        nonNull: true,
        ...(c.insn.source ? { source: c.insn.source } : {}),
      };
    }
    if (end !== 0) rebaseOnEnd(f, views, end);
    changed = true;
  }
  return changed;
}

export function reducePointerInductions(f: IrFunction): boolean {
  let changed = false;
  // Each reduction may add a preheader block, so the loops are found again after one.
  for (let round = 0; round < 16; round++) {
    const loops = naturalLoops(f);
    if (!loops.some((l) => reduceLoop(f, l, loops))) break;
    changed = true;
  }
  return changed;
}
