// Constant propagation and folding inside each block: a vreg known to hold a
// constant is replaced by the immediate wherever BPF takes one, operations
// on two constants fold, and branches on constants become jumps. Lowering
// already folds literal arithmetic; this catches what assignments expose.

import type { IrFunction, Operand, VReg } from "../ir/ir.js";
import { imm } from "../ir/ir.js";

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

export function propagateConstants(f: IrFunction): boolean {
  let changed = false;
  for (const b of f.blocks) {
    const known = new Map<VReg, bigint>();
    const sub = (o: Operand): Operand => {
      if (o.kind === "reg" && known.has(o.reg)) {
        changed = true;
        return imm(known.get(o.reg)!);
      }
      return o;
    };
    b.insns = b.insns.map((i) => {
      let out = i;
      switch (i.op) {
        case "mov":
          out = { ...i, src: sub(i.src) };
          break;
        case "alu": {
          const bb = sub(i.b);
          const a = known.get(i.a);
          if (a !== undefined && bb.kind === "imm" && !f.pointers.has(i.dst)) {
            const v = foldAlu(i.alu, a, bb.value, i.w);
            if (v !== undefined) {
              out = {
                op: "mov",
                w: i.w,
                dst: i.dst,
                src: imm(v),
                ...(i.source ? { source: i.source } : {}),
              };
              changed = true;
              break;
            }
          }
          out = { ...i, b: bb };
          break;
        }
        case "store":
          if (!i.noImm) out = { ...i, src: sub(i.src) };
          break;
        case "call":
        case "calllocal":
          out = { ...i, args: i.args.map(sub) };
          break;
      }
      if ("dst" in out && out.dst !== undefined) {
        known.delete(out.dst);
        if (out.op === "mov" && out.src.kind === "imm" && !f.pointers.has(out.dst)) {
          const v =
            out.w === 32 ? BigInt.asUintN(32, out.src.value) : BigInt.asUintN(64, out.src.value);
          known.set(out.dst, v);
        }
      }
      return out;
    });
    const t = b.term;
    if (t.op === "ret") b.term = { ...t, value: sub(t.value) };
    if (t.op === "br") {
      const bb = sub(t.b);
      const a = known.get(t.a);
      if (a !== undefined && bb.kind === "imm") {
        const taken = evalCond(t.cond, a, bb.value, t.w);
        b.term = {
          op: "jmp",
          target: taken ? t.then : t.else,
          ...(t.source ? { source: t.source } : {}),
        };
        changed = true;
      } else b.term = { ...t, b: bb };
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
