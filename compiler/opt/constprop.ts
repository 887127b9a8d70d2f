// Constant propagation and folding: a vreg known to hold a constant (in its
// block, or on every path into the block) is replaced by the immediate
// wherever BPF takes one, operations on two constants fold, a move of the
// value a register already holds goes, and branches on constants become
// jumps. Lowering already folds literal arithmetic; this catches what
// assignments, inlined arguments and rotated loop tests expose.

import type { Block, IrFunction, IrInsn, Operand, VReg } from "../ir/ir.js";
import { imm, swapCond } from "../ir/ir.js";
import { availableAtEntry } from "./available.js";
import { defsOf } from "./copies.js";

const COMMUTATIVE = new Set(["add", "mul", "and", "or", "xor"]);

function foldAlu(alu: string, a: bigint, b: bigint, w: 32 | 64): bigint | undefined {
  const bits = BigInt(w);
  const ua = BigInt.asUintN(w, a);
  const ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a);
  const sb = BigInt.asIntN(w, b);
  let r: bigint;
  switch (alu) {
    case "add":
      r = ua + ub;
      break;
    case "sub":
      r = ua - ub;
      break;
    case "mul":
      r = ua * ub;
      break;
    case "udiv":
      r = ub === 0n ? 0n : ua / ub;
      break;
    case "umod":
      r = ub === 0n ? ua : ua % ub;
      break;
    case "sdiv":
      if (sb === 0n) return undefined;
      r = sa / sb;
      break;
    case "smod":
      if (sb === 0n) return undefined;
      r = sa % sb;
      break;
    case "or":
      r = ua | ub;
      break;
    case "and":
      r = ua & ub;
      break;
    case "xor":
      r = ua ^ ub;
      break;
    case "shl":
      r = ua << (ub & (bits - 1n));
      break;
    case "lshr":
      r = ua >> (ub & (bits - 1n));
      break;
    case "ashr":
      r = sa >> (ub & (bits - 1n));
      break;
    default:
      return undefined;
  }
  // 32-bit operations zero the upper half.
  return BigInt.asUintN(w, r);
}

/** Known constants by vreg (as a string key, the shape availableAtEntry keeps). */
type Known = Map<string, bigint>;

/**
 * One instruction under the constants known before it: the instruction with
 * known operands substituted or folded (`undefined` when it only sets a
 * register to the value it already holds), and `known` updated past it.
 */
function step(f: IrFunction, known: Known, i: IrInsn): IrInsn | undefined {
  const sub = (o: Operand): Operand =>
    o.kind === "reg" && known.has(String(o.reg)) ? imm(known.get(String(o.reg))!) : o;
  let out = i;
  switch (i.op) {
    case "mov":
      if (i.src.kind === "reg" && known.has(String(i.src.reg))) out = { ...i, src: sub(i.src) };
      break;
    case "alu": {
      let x = i.b.kind === "reg" && known.has(String(i.b.reg)) ? { ...i, b: sub(i.b) } : i;
      const a = known.get(String(i.a));
      // `dst = K op x` with op commutative: `dst = x op K` needs no register for K.
      if (a !== undefined && x.b.kind === "reg" && COMMUTATIVE.has(i.alu))
        x = { ...x, a: x.b.reg, b: imm(a) };
      else if (a !== undefined && x.b.kind === "imm" && !f.pointers.has(i.dst)) {
        const v = foldAlu(i.alu, a, x.b.value, i.w);
        if (v !== undefined) {
          out = {
            op: "mov",
            w: i.w,
            dst: i.dst,
            src: imm(v),
            ...(i.source ? { source: i.source } : {}),
          };
          break;
        }
      }
      out = x;
      break;
    }
    case "store":
      if (!i.noImm && i.src.kind === "reg" && known.has(String(i.src.reg)))
        out = { ...i, src: sub(i.src) };
      break;
    case "call":
    case "calllocal":
      if (i.args.some((a) => a.kind === "reg" && known.has(String(a.reg))))
        out = { ...i, args: i.args.map(sub) };
      break;
  }
  const set =
    out.op === "mov" && out.src.kind === "imm" && !f.pointers.has(out.dst)
      ? { dst: out.dst, value: BigInt.asUintN(out.w, out.src.value), zext: !!out.zext }
      : undefined;
  if (set && !set.zext && known.get(String(set.dst)) === set.value) return undefined;
  for (const d of defsOf(out)) known.delete(String(d));
  if (set) known.set(String(set.dst), set.value);
  return out;
}

/** The constants known at the end of each reachable block (vreg -> value, zero-extended). */
export function constantsAtEnd(f: IrFunction): Map<Block, Map<VReg, bigint>> {
  const entry = availableAtEntry<bigint>(
    f,
    (facts, i) => void step(f, facts, i),
    (a, b) => a === b,
  );
  const out = new Map<Block, Map<VReg, bigint>>();
  for (const [b, known] of entry) {
    for (const i of b.insns) step(f, known, i);
    out.set(b, new Map([...known].map(([k, v]) => [Number(k), v])));
  }
  return out;
}

export function propagateConstants(f: IrFunction): boolean {
  // Constants known on every path into each block (a loop-carried variable
  // differs between the entry edge and the back edge, so it is not known).
  const entry = availableAtEntry<bigint>(
    f,
    (facts, i) => void step(f, facts, i),
    (a, b) => a === b,
  );
  let changed = false;
  for (const [b, facts] of entry) {
    const known: Known = facts;
    const insns: IrInsn[] = [];
    for (const i of b.insns) {
      const out = step(f, known, i);
      if (out !== undefined) insns.push(out);
      if (out !== i) changed = true;
    }
    b.insns = insns;
    const t = b.term;
    const sub = (o: Operand): Operand =>
      o.kind === "reg" && known.has(String(o.reg)) ? imm(known.get(String(o.reg))!) : o;
    if (t.op === "ret") {
      const value = sub(t.value);
      if (value.kind !== t.value.kind) {
        b.term = { ...t, value };
        changed = true;
      }
    }
    if (t.op === "br") {
      const bb = sub(t.b);
      const a = known.get(String(t.a));
      if (a !== undefined && bb.kind === "imm") {
        const taken = evalCond(t.cond, a, bb.value, t.w);
        b.term = {
          op: "jmp",
          target: taken ? t.then : t.else,
          ...(t.source ? { source: t.source } : {}),
        };
        changed = true;
      } else if (a !== undefined && bb.kind === "reg") {
        // `K < x` as `x > K`: a branch compares a register with an immediate.
        b.term = { ...t, cond: swapCond(t.cond), a: bb.reg, b: imm(a) };
        changed = true;
      } else if (bb.kind !== t.b.kind) {
        b.term = { ...t, b: bb };
        changed = true;
      }
    }
  }
  return changed;
}

function evalCond(cond: string, a: bigint, b: bigint, w: 32 | 64): boolean {
  const ua = BigInt.asUintN(w, a);
  const ub = BigInt.asUintN(w, b);
  const sa = BigInt.asIntN(w, a);
  const sb = BigInt.asIntN(w, b);
  switch (cond) {
    case "eq":
      return ua === ub;
    case "ne":
      return ua !== ub;
    case "ugt":
      return ua > ub;
    case "uge":
      return ua >= ub;
    case "ult":
      return ua < ub;
    case "ule":
      return ua <= ub;
    case "sgt":
      return sa > sb;
    case "sge":
      return sa >= sb;
    case "slt":
      return sa < sb;
    case "sle":
      return sa <= sb;
    default:
      return (ua & ub) !== 0n;
  }
}
