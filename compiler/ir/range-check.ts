// Proves, on a lowered function's IR, the bounds the verifier will need:
// a variable packet offset below 64 KiB (TSB3006) and an array index that is
// a known constant in range on every path (TSB3013). It walks the CFG the way
// the verifier does: path by path, with an unsigned range per vreg, refined
// at each compare (against a constant or another bounded vreg), and without
// joining paths. So `let off = 14; ... off += 4` in a two-iteration loop is
// 14, 18, 22 on the paths that reach each use, exactly as the verifier sees
// it, where a join over all writes (let-ranges.ts) would grow without bound.
//
// Sound only if every step here is at most as precise as the verifier's own
// tracking: each transfer function below follows (or is weaker than) the
// kernel's (adjust_scalar_min_max_vals, regs_refine_cond_op), unknown
// operations give the full range, and signed compares refine only values
// known to be non-negative. A path stops where its state is contained in a
// state already explored at the same join point (the verifier's pruning),
// comparing only vregs that are live there and can matter (those a check or
// a branch depends on). When the walk exceeds its budget it proves nothing,
// and each check falls back to the ranges lowering found (`fallbackOk`).

import {
  type Block,
  type CondKind,
  defOf,
  type IrFunction,
  type IrInsn,
  invertCond,
  type Operand,
  reachableBlocks,
  successors,
  swapCond,
  usesOf,
  type VReg,
  type Width,
} from "./ir.js";
import { liveness } from "./liveness.js";

type Range = [bigint, bigint];

const M32 = 0xffffffffn;
const M64 = (1n << 64n) - 1n;
/** Instructions walked per function before giving up (the verifier allows 1M). */
const BUDGET = 200_000;
/** States remembered per join point. */
const MAX_STATES = 64;

/** A bound that must hold for `reg` just before `insn` runs. */
export interface RangeCheck {
  insn: IrInsn;
  reg: VReg;
  /** The largest value allowed. */
  max: bigint;
  /** The value must also be one known constant on each path (array index). */
  constant: boolean;
  /** Whether lowering's own ranges already proved it (used when the walk gives up). */
  fallbackOk: boolean;
  /** Called when the bound cannot be proved. */
  fail: () => void;
}

type State = Map<VReg, Range>;

const maskOf = (w: Width): bigint => (w === 32 ? M32 : M64);
const full = (w: Width): Range => [0n, maskOf(w)];

function operand(s: State, o: Operand, w: Width): Range {
  if (o.kind === "imm") {
    const v = o.value & maskOf(w);
    return [v, v];
  }
  const r = s.get(o.reg);
  if (!r || r[1] > maskOf(w)) return full(w);
  return r;
}

/** Smallest all-ones value covering x (the verifier's tnum_range upper bound). */
function ones(x: bigint): bigint {
  let m = 0n;
  while (m < x) m = (m << 1n) | 1n;
  return m;
}

function alu(i: Extract<IrInsn, { op: "alu" }>, a: Range, b: Range): Range {
  const w = i.w;
  const max = maskOf(w);
  const fit = (r: Range): Range => (r[0] >= 0n && r[1] <= max ? r : full(w));
  const bConst = b[0] === b[1] ? b[0] : undefined;
  switch (i.alu) {
    case "add":
      return fit([a[0] + b[0], a[1] + b[1]]);
    case "sub":
      return fit([a[0] - b[1], a[1] - b[0]]);
    case "mul": {
      // The kernel gives up on products of values above 16 bits (32-bit ops) or 32 bits.
      const lim = w === 32 ? 0xffffn : M32;
      return a[1] <= lim && b[1] <= lim ? fit([a[0] * b[0], a[1] * b[1]]) : full(w);
    }
    case "and":
      return [0n, a[1] < b[1] ? a[1] : b[1]];
    case "or":
    case "xor": {
      const m = ones(a[1] > b[1] ? a[1] : b[1]);
      return m <= max ? [0n, m] : full(w);
    }
    case "shl":
      if (bConst === undefined || bConst >= BigInt(w)) return full(w);
      return a[1] <= 1n << (BigInt(w) - 1n - bConst)
        ? fit([a[0] << bConst, a[1] << bConst])
        : full(w);
    case "lshr":
      return bConst === undefined || bConst >= BigInt(w)
        ? full(w)
        : [a[0] >> bConst, a[1] >> bConst];
    case "ashr":
      if (bConst === undefined || bConst >= BigInt(w) || a[1] >= 1n << (BigInt(w) - 1n))
        return full(w);
      return [a[0] >> bConst, a[1] >> bConst];
    default:
      // Division and remainder: not relied on.
      return full(w);
  }
}

/** The range `i` writes to its destination, given the state before it. */
function transfer(s: State, i: IrInsn): Range {
  switch (i.op) {
    case "mov":
      return operand(s, i.src, i.w);
    case "alu":
      return alu(i, operand(s, { kind: "reg", reg: i.a }, i.w), operand(s, i.b, i.w));
    case "movsx": {
      const r = operand(s, { kind: "reg", reg: i.src }, i.w);
      return r[1] < 1n << BigInt(i.bits - 1) ? r : full(i.w);
    }
    case "load":
      return i.size === 8 ? full(64) : [0n, (1n << BigInt(i.size * 8)) - 1n];
    default:
      return full(64);
  }
}

function decide(c: CondKind, a: Range, b: Range): boolean | undefined {
  switch (c) {
    case "eq":
      if (a[0] === a[1] && b[0] === b[1] && a[0] === b[0]) return true;
      return a[1] < b[0] || b[1] < a[0] ? false : undefined;
    case "ne": {
      const eq = decide("eq", a, b);
      return eq === undefined ? undefined : !eq;
    }
    case "ult":
      return a[1] < b[0] ? true : a[0] >= b[1] ? false : undefined;
    case "ule":
      return a[1] <= b[0] ? true : a[0] > b[1] ? false : undefined;
    case "ugt":
      return decide("ult", b, a);
    case "uge":
      return decide("ule", b, a);
    default:
      return undefined;
  }
}

/** Ranges of a and b where `a c b` holds, or undefined when it cannot. */
function refine(c: CondKind, a: Range, b: Range): [Range, Range] | undefined {
  const ok = (x: Range, y: Range): [Range, Range] | undefined =>
    x[0] <= x[1] && y[0] <= y[1] ? [x, y] : undefined;
  const max = (x: bigint, y: bigint) => (x > y ? x : y);
  const min = (x: bigint, y: bigint) => (x < y ? x : y);
  switch (c) {
    case "eq": {
      const r: Range = [max(a[0], b[0]), min(a[1], b[1])];
      return ok(r, r);
    }
    case "ne": {
      const cut = (x: Range, y: Range): Range => {
        if (y[0] !== y[1]) return x;
        if (x[0] === y[0]) return [x[0] + 1n, x[1]];
        if (x[1] === y[0]) return [x[0], x[1] - 1n];
        return x;
      };
      return ok(cut(a, b), cut(b, a));
    }
    case "ult":
      if (b[1] === 0n) return undefined;
      return ok([a[0], min(a[1], b[1] - 1n)], [max(b[0], a[0] + 1n), b[1]]);
    case "ule":
      return ok([a[0], min(a[1], b[1])], [max(b[0], a[0]), b[1]]);
    case "ugt":
    case "uge": {
      const r = refine(swapCond(c), b, a);
      return r && [r[1], r[0]];
    }
    default:
      return [a, b];
  }
}

const SIGNED_AS_UNSIGNED: Partial<Record<CondKind, CondKind>> = {
  slt: "ult",
  sle: "ule",
  sgt: "ugt",
  sge: "uge",
};

/** The vregs whose ranges can matter: checked ones, compared ones, and what they come from. */
function relevantVregs(f: IrFunction, blocks: Block[], checks: RangeCheck[]): Set<VReg> {
  const defs = new Map<VReg, IrInsn[]>();
  const roots: VReg[] = checks.map((c) => c.reg);
  for (const b of blocks) {
    for (const i of b.insns) {
      const d = defOf(i);
      if (d !== undefined && !f.pointers.has(d)) defs.set(d, [...(defs.get(d) ?? []), i]);
    }
    if (b.term.op === "br") roots.push(...usesOf(b.term));
  }
  const out = new Set<VReg>();
  while (roots.length) {
    const r = roots.pop()!;
    if (out.has(r) || f.pointers.has(r)) continue;
    out.add(r);
    for (const i of defs.get(r) ?? []) roots.push(...usesOf(i));
  }
  return out;
}

function contains(outer: State, inner: State, vregs: Iterable<VReg>): boolean {
  for (const v of vregs) {
    const o = outer.get(v);
    if (!o) continue;
    const n = inner.get(v);
    if (!n || n[0] < o[0] || n[1] > o[1]) return false;
  }
  return true;
}

/** Walk `f` and report every check that is not proved (by the walk or, failing that, by lowering). */
export function checkRanges(f: IrFunction, checks: RangeCheck[]): void {
  // Checks lowering's own ranges proved need no walk: its verdict could not change the outcome.
  if (checks.every((c) => c.fallbackOk)) return;
  const proved = walk(f, checks);
  for (const c of checks) if (!(proved?.has(c) ?? false) && !c.fallbackOk) c.fail();
}

/** The checks the walk proves, or undefined when it ran out of budget. */
function walk(f: IrFunction, checks: RangeCheck[]): Set<RangeCheck> | undefined {
  const blocks = reachableBlocks(f);
  const tracked = relevantVregs(f, blocks, checks);
  const { liveIn } = liveness(f);
  const preds = new Map<Block, number>();
  for (const b of blocks) for (const s of successors(b)) preds.set(s, (preds.get(s) ?? 0) + 1);
  const pruneAt = new Map<Block, { vregs: VReg[]; seen: State[] }>();
  for (const b of blocks)
    if ((preds.get(b) ?? 0) >= 2)
      pruneAt.set(b, { vregs: [...(liveIn.get(b) ?? [])].filter((v) => tracked.has(v)), seen: [] });
  const byInsn = new Map<IrInsn, RangeCheck[]>();
  for (const c of checks) byInsn.set(c.insn, [...(byInsn.get(c.insn) ?? []), c]);
  const failed = new Set<RangeCheck>();

  let budget = BUDGET;
  const stack: { b: Block; s: State }[] = [{ b: f.entry, s: new Map() }];
  while (stack.length) {
    const { b, s } = stack.pop()!;
    const p = pruneAt.get(b);
    if (p) {
      if (p.seen.some((old) => contains(old, s, p.vregs))) continue;
      if (p.seen.length < MAX_STATES) p.seen.push(new Map(s));
    }
    budget -= b.insns.length + 1;
    if (budget < 0) return undefined;
    for (const i of b.insns) {
      for (const c of byInsn.get(i) ?? []) {
        const r = s.get(c.reg) ?? full(64);
        if (r[1] > c.max || (c.constant && r[0] !== r[1])) failed.add(c);
      }
      const d = defOf(i);
      if (d === undefined || !tracked.has(d)) continue;
      s.set(d, transfer(s, i));
    }
    const t = b.term;
    if (t.op !== "br") {
      if (t.op === "jmp") stack.push({ b: t.target, s });
      continue;
    }
    const cond = SIGNED_AS_UNSIGNED[t.cond] ?? t.cond;
    const ra = operand(s, { kind: "reg", reg: t.a }, t.w);
    const rb = operand(s, t.b, t.w);
    const signedOk =
      cond === t.cond || (ra[1] < 1n << (BigInt(t.w) - 1n) && rb[1] < 1n << (BigInt(t.w) - 1n));
    const branch = (c: CondKind | undefined, to: Block) => {
      if (!signedOk || c === undefined || c === "set") {
        stack.push({ b: to, s: new Map(s) });
        return;
      }
      if (decide(c, ra, rb) === false) return;
      const r = refine(c, ra, rb);
      if (!r) return;
      const next = new Map(s);
      // A 32-bit compare bounds the whole register only when its upper half is zero.
      const whole = (v: VReg) => t.w === 64 || (s.get(v)?.[1] ?? M64) <= M32;
      if (tracked.has(t.a) && whole(t.a)) next.set(t.a, r[0]);
      if (t.b.kind === "reg" && tracked.has(t.b.reg) && whole(t.b.reg)) next.set(t.b.reg, r[1]);
      stack.push({ b: to, s: next });
    };
    branch(invertCond(cond), t.else);
    branch(cond, t.then);
  }
  return new Set(checks.filter((c) => !failed.has(c)));
}
