// Live intervals for linear-scan allocation. Instructions are numbered in
// layout order; instruction n reads at 2n and writes at 2n+1, so an operand
// that dies at n and the result of n may share a register. Parameters are
// written at position 1, before the first instruction. An interval is the
// hull of every position where the vreg is live (liveness makes loops safe),
// with the segments inside it where it really is: a value set in an
// else-if chain laid out after a call is dead at the call, and its register
// is free there for the call's arguments.

import {
  type Block,
  defOf,
  type IrFunction,
  type IrInsn,
  type Terminator,
  usesOf,
  type VReg,
} from "../ir/ir.js";
import { liveness } from "../ir/liveness.js";

const COMMUTATIVE = new Set(["add", "mul", "and", "or", "xor"]);

export interface Interval {
  vreg: VReg;
  start: number;
  end: number;
  /** Live across a call: needs a callee-saved register (r6-r9). */
  crossesCall: boolean;
  /** Physical registers preferred (calling convention), best first. */
  fixedHints: number[];
  /** vregs whose register this one would like to share (copies, 2-address ops). */
  vregHints: VReg[];
  /**
   * vregs that are the right operand of a non-commutative op defining this
   * one: `dst = a - b` is emitted as `dst = a; dst -= b`, so dst may never
   * take b's register, not even through a hint where b dies at the op.
   */
  notWith: VReg[];
  /** Spill-code temporaries must not be spilled again. */
  noSpill: boolean;
  /** Where it is live, in order, within [start, end]: [from, to] inclusive. */
  segments: [number, number][];
}

export interface Numbered {
  order: Block[];
  /** Position of each block's first instruction and of its terminator. */
  blockStart: Map<Block, number>;
  blockEnd: Map<Block, number>;
  insnIndex: Map<IrInsn | Terminator, number>;
  callIndices: number[];
}

export function numberInstructions(f: IrFunction, order: Block[]): Numbered {
  const blockStart = new Map<Block, number>();
  const blockEnd = new Map<Block, number>();
  const insnIndex = new Map<IrInsn | Terminator, number>();
  const callIndices: number[] = [];
  let n = 1;
  for (const b of order) {
    blockStart.set(b, n);
    for (const i of b.insns) {
      insnIndex.set(i, n);
      if (isCallSite(i)) callIndices.push(n);
      n++;
    }
    insnIndex.set(b.term, n);
    blockEnd.set(b, n);
    n++;
  }
  void f;
  return { order, blockStart, blockEnd, insnIndex, callIndices };
}

export function buildIntervals(
  f: IrFunction,
  noSpill: Set<VReg>,
): { intervals: Map<VReg, Interval>; numbered: Numbered } {
  const live = liveness(f);
  const numbered = numberInstructions(f, live.order);
  const map = new Map<VReg, Interval>();
  const get = (v: VReg): Interval => {
    let it = map.get(v);
    if (!it) {
      it = {
        vreg: v,
        start: Infinity,
        end: -Infinity,
        crossesCall: false,
        fixedHints: [],
        vregHints: [],
        notWith: [],
        noSpill: noSpill.has(v),
        segments: [],
      };
      map.set(v, it);
    }
    return it;
  };
  // Positions where each vreg is live, one segment per block it is live in
  // (first touch or block start .. last touch or block end), merged when
  // adjacent: holes between the segments let other vregs use the register.
  const addSegment = (v: VReg, from: number, to: number) => {
    const it = get(v);
    it.start = Math.min(it.start, from);
    it.end = Math.max(it.end, to);
    const last = it.segments[it.segments.length - 1];
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else it.segments.push([from, to]);
  };
  f.params.forEach((p, k) => {
    addSegment(p, 1, 1);
    get(p).fixedHints.push(k + 1);
  });
  for (const b of live.order) {
    const s = numbered.blockStart.get(b)!;
    const e = numbered.blockEnd.get(b)!;
    const local = new Map<VReg, [number, number]>();
    const touch = (v: VReg, pos: number) => {
      const r = local.get(v);
      if (r) {
        r[0] = Math.min(r[0], pos);
        r[1] = Math.max(r[1], pos);
      } else local.set(v, [pos, pos]);
    };
    for (const v of live.liveIn.get(b)!) touch(v, 2 * s);
    for (const v of live.liveOut.get(b)!) touch(v, 2 * e + 1);
    for (const i of [...b.insns, b.term]) {
      const n = numbered.insnIndex.get(i)!;
      for (const u of usesOf(i)) touch(u, 2 * n);
      const d = "dst" in i ? defOf(i as IrInsn) : undefined;
      if (d !== undefined) touch(d, 2 * n + 1);
      // `dst = a - b` is emitted as `dst = a; dst -= b`: dst must not share b's register.
      if (i.op === "alu" && i.b.kind === "reg" && !COMMUTATIVE.has(i.alu)) {
        touch(i.dst, 2 * n);
        get(i.dst).notWith.push(i.b.reg);
      }
      hints(i, get);
    }
    for (const [v, [from, to]] of local) addSegment(v, from, to);
  }
  for (const v of liveAcrossCalls(live)) get(v).crossesCall = true;
  return { intervals: map, numbered };
}

/** A call site for the allocator: helpers, subprograms, kfuncs, and cmpxchg (which works through r0). */
function isCallSite(i: IrInsn): boolean {
  return (
    i.op === "call" ||
    i.op === "calllocal" ||
    i.op === "callkfunc" ||
    (i.op === "atomic" && i.a !== undefined)
  );
}

/**
 * vregs live after some call site (its result aside): they need r6-r9. Taken
 * from liveness, not from the interval's hull, so a value used only on the
 * paths around a call (a protocol byte tested in an else-if chain that ends
 * in a map lookup) keeps a caller-saved register; a callee-saved one costs a
 * push and a pop in the JIT's prologue and epilogue on every run.
 */
function liveAcrossCalls(live: ReturnType<typeof liveness>): Set<VReg> {
  const out = new Set<VReg>();
  for (const b of live.order) {
    const now = new Set(live.liveOut.get(b));
    for (const u of usesOf(b.term)) now.add(u);
    for (let k = b.insns.length - 1; k >= 0; k--) {
      const i = b.insns[k]!;
      const d = defOf(i);
      if (d !== undefined) now.delete(d);
      if (isCallSite(i)) for (const v of now) out.add(v);
      for (const u of usesOf(i)) now.add(u);
    }
  }
  return out;
}

function hints(i: IrInsn | Terminator, get: (v: VReg) => Interval): void {
  switch (i.op) {
    case "mov":
      if (i.src.kind === "reg") {
        get(i.dst).vregHints.push(i.src.reg);
        get(i.src.reg).vregHints.push(i.dst);
      }
      break;
    case "alu":
    case "neg":
      get(i.dst).vregHints.push(i.a);
      break;
    case "movsx":
    case "swap":
      get(i.dst).vregHints.push(i.src);
      break;
    case "call":
    case "calllocal":
    case "callkfunc":
      if (i.dst !== undefined) get(i.dst).fixedHints.push(0);
      i.args.forEach((a, k) => {
        if (a.kind === "reg") get(a.reg).fixedHints.push(k + 1);
      });
      break;
    case "ret":
      if (i.value.kind === "reg") get(i.value.reg).fixedHints.push(0);
      break;
  }
}
