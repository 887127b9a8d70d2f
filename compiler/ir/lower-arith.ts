// Integer semantics during lowering: conversions (implicit widening checked,
// explicit `as` narrowing), arithmetic at the declared width with C wrapping,
// and constant folding of exact bigint values. Representation invariant a
// vreg of type T keeps: unsigned values are zero-extended to 64 bits; signed
// values up to 32 bits are sign-extended within the low 32 bits (the upper
// half is undefined, as with clang's alu32); 64-bit values use all 64 bits.

import type { Node } from "ts-morph";
import {
  BOOL,
  I64,
  type IntType,
  commonType,
  literalFits,
  maxOf,
  minOf,
  regWidth,
  typeName,
  U64,
  widens,
  wrap,
} from "../types/int-type.js";
import type { AluKind, Operand, VReg } from "./ir.js";
import { imm, reg } from "./ir.js";
import type { Lowering, Value } from "./lower-context.js";

export type IntValue = Extract<Value, { kind: "int" }>;

export function intConst(value: bigint, type: IntType, literal = false): IntValue {
  return { kind: "int", op: imm(value), type, literal };
}

/** Put an operand in a vreg (a fresh one for immediates). */
export function toReg(L: Lowering, v: IntValue): VReg {
  if (v.op.kind === "reg") return v.op.reg;
  const r = L.b.vreg();
  L.b.emit({ op: "mov", w: regWidth(v.type), dst: r, src: v.op });
  return r;
}

/** Convert to `to`; implicit conversions must not lose bits (or say so). */
export function convert(
  L: Lowering,
  v: IntValue,
  to: IntType,
  node: Node,
  explicit: boolean,
): IntValue {
  if (v.op.kind === "imm") {
    const value = v.op.value;
    if (!explicit && !literalFits(value, to)) {
      if (!v.literal && !literalFits(value, v.type)) return { ...v, type: to };
      L.report("TSB2003", node, [String(value), typeName(to)]);
      return intConst(wrap(value, to), to);
    }
    return intConst(wrap(value, to), to);
  }
  const from = v.type;
  const inRange =
    v.range && literalFits(v.range[0], to) && literalFits(v.range[1], to) && !!from.be === !!to.be;
  if (inRange) explicit = true;
  if (!explicit && !widens(from, to)) {
    if (!!from.be !== !!to.be) {
      const [be, host] = from.be ? [from, to] : [to, from];
      L.report("TSB2004", node, [typeName(be), typeName(host)]);
    } else L.report("TSB2001", node, [typeName(from), typeName(to)]);
    return { ...v, type: to };
  }
  const r = v.op.reg;
  const out = (emit: (dst: VReg) => void): IntValue => {
    const dst = L.b.vreg();
    emit(dst);
    // A range that fits the target survives the conversion unchanged.
    return {
      kind: "int",
      op: reg(dst),
      type: to,
      temp: true,
      ...(inRange ? { range: v.range! } : {}),
    };
  };
  if (to.bits === 64) {
    if (from.bits < 64 && from.signed)
      return out((dst) => L.b.emit({ op: "movsx", w: 64, dst, src: r, bits: 32 }));
    return { ...v, type: to };
  }
  if (!to.signed) {
    if (to.bits === 32) {
      if (from.bits === 64 || from.signed)
        return out((dst) => L.b.emit({ op: "mov", w: 32, dst, src: reg(r), zext: true }));
      return { ...v, type: to };
    }
    if (!from.signed && from.bits <= to.bits) return { ...v, type: to };
    const mask = (1n << BigInt(to.bits)) - 1n;
    return out((dst) => L.b.emit({ op: "alu", w: 32, alu: "and", dst, a: r, b: imm(mask) }));
  }
  if (to.bits === 32) return { ...v, type: to };
  if ((from.signed && from.bits <= to.bits) || (!from.signed && from.bits < to.bits))
    return { ...v, type: to };
  const bits = to.bits as 8 | 16;
  return out((dst) => L.b.emit({ op: "movsx", w: 32, dst, src: r, bits }));
}

/** Re-establish the representation of a narrow type after a wrapping op. */
export function wrapNarrow(L: Lowering, r: VReg, t: IntType): VReg {
  if (t.bits >= 32) return r;
  const dst = L.b.vreg();
  if (t.signed) L.b.emit({ op: "movsx", w: 32, dst, src: r, bits: t.bits as 8 | 16 });
  else L.b.emit({ op: "alu", w: 32, alu: "and", dst, a: r, b: imm((1n << BigInt(t.bits)) - 1n) });
  return dst;
}

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>";

function foldConst(op: ArithOp, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0n ? undefined : a / b;
    case "%":
      return b === 0n ? undefined : a % b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "<<":
      return a << b;
    case ">>":
    case ">>>":
      return a >> b;
  }
}

/** The type two operands meet at (literals adopt the other side), or undefined after reporting. */
export function meetTypes(L: Lowering, a: IntValue, b: IntValue, node: Node): IntType | undefined {
  if (a.literal && b.literal) return undefined;
  if (a.literal) return b.type.bool ? BOOL : b.type;
  if (b.literal) return a.type.bool ? BOOL : a.type;
  const t = commonType(a.type, b.type);
  if (t) return t;
  if (!!a.type.be !== !!b.type.be || a.type.be) {
    const [be, host] = a.type.be ? [a.type, b.type] : [b.type, a.type];
    L.report("TSB2004", node, [typeName(be), typeName(host)]);
  } else L.report("TSB2002", node, [typeName(a.type), typeName(b.type)]);
  return undefined;
}

const WRAPPING = new Set<ArithOp>(["+", "-", "*", "<<", "/"]);

export function arith(L: Lowering, op: ArithOp, a: IntValue, b: IntValue, node: Node): Value {
  // Two literals: exact arithmetic, still a literal.
  if (a.literal && b.literal && a.op.kind === "imm" && b.op.kind === "imm") {
    const v = foldConst(op, a.op.value, b.op.value);
    if (v === undefined) return L.report("TSB2007", node);
    return intConst(v, a.type, true);
  }
  const shift = op === "<<" || op === ">>" || op === ">>>";
  let t: IntType | undefined;
  if (shift) t = a.literal ? (b.literal ? a.type : b.type.bits === 64 ? b.type : a.type) : a.type;
  else t = meetTypes(L, a, b, node);
  if (!t) return { kind: "error" };
  if (t.bool) t = { bits: 8, signed: false };
  if (t.be && !(op === "&" || op === "|" || op === "^")) {
    L.report("TSB2004", node, [typeName(t), "arithmetic"]);
    return { kind: "error" };
  }
  const ca = convert(L, a, t, node, false);
  const cb = shift ? shiftAmount(L, b, t, node) : convert(L, b, t, node, false);
  if (!cb) return { kind: "error" };
  if ((op === "/" || op === "%") && cb.op.kind === "imm" && cb.op.value === 0n)
    return L.report("TSB2007", node);
  // Typed constants fold too, wrapped at the type's width.
  if (ca.op.kind === "imm" && cb.op.kind === "imm") {
    const v = foldConst(op === ">>>" ? ">>" : op, ca.op.value, cb.op.value);
    if (v !== undefined) return intConst(wrap(v, t), t);
  }
  const alu = aluKind(op, t);
  let lhs = ca;
  let rhs = cb.op;
  if (lhs.op.kind === "imm" && isCommutative(alu) && rhs.kind === "reg") {
    [lhs, rhs] = [{ ...ca, op: rhs }, lhs.op];
  }
  const aReg = toReg(L, lhs);
  let dst = L.b.vreg();
  L.b.emit({ op: "alu", w: regWidth(t), alu, dst, a: aReg, b: rhs });
  // Exact range of the result when both operand ranges are known: if it stays
  // inside the type, the wrap (an `and` or `movsx`) is not needed.
  const exact = resultRange(op, rangeOf(ca), rangeOf(cb));
  const fits = exact !== undefined && literalFits(exact[0], t) && literalFits(exact[1], t);
  if (WRAPPING.has(op) && !fits) dst = wrapNarrow(L, dst, t);
  const result: IntValue = { kind: "int", op: reg(dst), type: t, temp: true };
  if (fits) result.range = exact;
  // A mask bounds the result: `x & 0xff` fits a u8 whatever x's type.
  if (op === "&" && rhs.kind === "imm" && !t.signed && rhs.value >= 0n)
    result.range = [0n, rhs.value];
  return result;
}

/** What is known about an operand's value: a constant, a tracked range, or its type's range. */
function rangeOf(v: IntValue): [bigint, bigint] {
  if (v.op.kind === "imm") return [v.op.value, v.op.value];
  return v.range ?? [minOf(v.type), maxOf(v.type)];
}

function resultRange(
  op: ArithOp,
  a: [bigint, bigint],
  b: [bigint, bigint],
): [bigint, bigint] | undefined {
  const lo = (xs: bigint[]) => xs.reduce((m, x) => (x < m ? x : m));
  const hi = (xs: bigint[]) => xs.reduce((m, x) => (x > m ? x : m));
  switch (op) {
    case "+":
      return [a[0] + b[0], a[1] + b[1]];
    case "-":
      return [a[0] - b[1], a[1] - b[0]];
    case "*": {
      const xs = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
      return [lo(xs), hi(xs)];
    }
    case "<<":
      return a[0] >= 0n && b[0] >= 0n && b[1] < 64n ? [a[0] << b[0], a[1] << b[1]] : undefined;
    case "/":
      return a[0] >= 0n && b[0] > 0n ? [a[0] / b[1], a[1] / b[0]] : undefined;
    case ">>":
    case ">>>":
      return a[0] >= 0n && b[0] >= 0n ? [a[0] >> b[1], a[1] >> b[0]] : undefined;
    default:
      return undefined;
  }
}

function shiftAmount(L: Lowering, b: IntValue, t: IntType, node: Node): IntValue | undefined {
  if (b.op.kind === "imm") {
    if (b.op.value < 0n || b.op.value >= BigInt(t.bits)) {
      L.report("TSB2006", node, [String(b.op.value), t.bits]);
      return undefined;
    }
    return intConst(b.op.value, t);
  }
  // Any unsigned amount works; the register width follows the shifted value.
  const asType = t.bits === 64 ? U64 : { bits: 32 as const, signed: false };
  return convert(L, b, asType, node, true);
}

function aluKind(op: ArithOp, t: IntType): AluKind {
  switch (op) {
    case "+":
      return "add";
    case "-":
      return "sub";
    case "*":
      return "mul";
    case "/":
      return t.signed ? "sdiv" : "udiv";
    case "%":
      return t.signed ? "smod" : "umod";
    case "&":
      return "and";
    case "|":
      return "or";
    case "^":
      return "xor";
    case "<<":
      return "shl";
    case ">>":
      return t.signed ? "ashr" : "lshr";
    case ">>>":
      return "lshr";
  }
}

export function isCommutative(k: AluKind): boolean {
  return k === "add" || k === "mul" || k === "and" || k === "or" || k === "xor";
}

/** Unary minus and bitwise not, wrapped at the width. */
export function unary(L: Lowering, op: "-" | "~", v: IntValue, node: Node): Value {
  if (v.op.kind === "imm") {
    const x = op === "-" ? -v.op.value : ~v.op.value;
    return v.literal ? intConst(x, v.type, true) : intConst(wrap(x, v.type), v.type);
  }
  if (v.type.be) return L.report("TSB2004", node, [typeName(v.type), "arithmetic"]);
  const t = v.type.bool ? { bits: 8 as const, signed: false } : v.type;
  let dst = L.b.vreg();
  if (op === "-") L.b.emit({ op: "neg", w: regWidth(t), dst, a: v.op.reg });
  else L.b.emit({ op: "alu", w: regWidth(t), alu: "xor", dst, a: v.op.reg, b: imm(-1n) });
  dst = wrapNarrow(L, dst, t);
  return { kind: "int", op: reg(dst), type: t, temp: true };
}

/** A literal with no other context takes a default type. */
export function settle(v: IntValue, fallback?: IntType): IntValue {
  if (!v.literal || v.op.kind !== "imm") return v;
  const value = v.op.value;
  const t =
    fallback ??
    (value >= 0n
      ? value <= 0xffffffffn
        ? { bits: 32 as const, signed: false }
        : U64
      : value >= -(1n << 31n)
        ? { bits: 32 as const, signed: true }
        : I64);
  return intConst(value, t);
}

export function operandOf(v: IntValue): Operand {
  return v.op;
}
