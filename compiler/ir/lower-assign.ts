// Assignments: `x = e`, `x op= e`, `++x`/`x++` to locals, header fields,
// header array elements and writable context fields. The value is converted
// to the target's declared type (implicit widening only), and compound
// assignments compute in the target's type so they wrap at its width.

import { type Expression, Node } from "../frontend/ts-morph.js";
import { regWidth } from "../types/int-type.js";
import { reg } from "./ir.js";
import { type ArithOp, arith, convert, intConst, type IntValue } from "./lower-arith.js";
import { type Binding, type Lowering, type Value, declarationOf } from "./lower-context.js";
import { lowerExpr, lowerInt, refuse } from "./lower-expr.js";
import { elementSlot, loadSlot, type MemSlot, memberSlot, storeSlot } from "./lower-packet.js";
import { assignTargetExt } from "./lower-ext.js";

type Target =
  | { kind: "var"; reg: number; type: IntValue["type"]; decl: Node; range?: [bigint, bigint] }
  | { kind: "view"; reg: number; binding: Extract<Binding, { kind: "header" }> }
  | { kind: "mem"; slot: MemSlot };

function targetOf(L: Lowering, left: Expression): Target | undefined {
  if (Node.isParenthesizedExpression(left)) return targetOf(L, left.getExpression());
  if (Node.isIdentifier(left)) {
    const decl = declarationOf(left);
    const b = decl && L.env.get(decl);
    const global = b ? undefined : assignTargetExt(L, decl);
    if (global) return { kind: "mem", slot: global };
    if (!b || b.kind === "ctx") {
      L.report("TSB1012", left, [
        "assignment to this name",
        "assign to a local variable declared with let",
      ]);
      return undefined;
    }
    if (b.kind === "header") return { kind: "view", reg: b.reg, binding: b };
    if (b.poisoned) return undefined; // its declaration was reported already
    return {
      kind: "var",
      reg: b.reg,
      type: b.type,
      decl: decl!,
      ...(b.range ? { range: b.range } : {}),
    };
  }
  if (Node.isPropertyAccessExpression(left)) {
    const slot = memberSlot(L, left, true);
    if (slot === "array") {
      L.report("TSB1012", left, ["assignment of a whole array", "assign the elements one by one"]);
      return undefined;
    }
    return slot ? { kind: "mem", slot } : undefined;
  }
  if (Node.isElementAccessExpression(left)) {
    const slot = elementSlot(L, left);
    return slot ? { kind: "mem", slot } : undefined;
  }
  refuse(L, left);
  return undefined;
}

function write(L: Lowering, t: Target, v: IntValue): void {
  if (t.kind === "var") {
    L.b.emit({ op: "mov", w: regWidth(t.type), dst: t.reg, src: v.op });
    const r: [bigint, bigint] | undefined =
      v.op.kind === "imm" ? [v.op.value, v.op.value] : v.range;
    L.letRanges.write(t.decl, r ?? null);
  } else if (t.kind === "mem") storeSlot(L, t.slot, v);
}

function read(L: Lowering, t: Exclude<Target, { kind: "view" }>): IntValue {
  if (t.kind === "var")
    return { kind: "int", op: reg(t.reg), type: t.type, ...(t.range ? { range: t.range } : {}) };
  return loadSlot(L, t.slot);
}

export function assign(L: Lowering, left: Expression, right: Expression, node: Node): Value {
  const t = targetOf(L, left);
  const v = lowerExpr(L, right);
  if (!t || v.kind === "error") return { kind: "error" };
  if (t.kind === "view") {
    if (v.kind !== "header")
      return L.report("TSB2008", node, [
        right.getText(),
        "assign a header view from ctx.header<T>()",
      ]);
    L.b.emit({ op: "mov", w: 64, dst: t.reg, src: reg(v.reg) });
    t.binding.generation = L.packetGeneration;
    return v;
  }
  if (v.kind !== "int")
    return L.report("TSB2008", right, [right.getText(), "an integer is expected here"]);
  const c = convert(L, v, t.kind === "var" ? t.type : t.slot.type, right, false);
  write(L, t, c);
  return c;
}

export function compoundAssign(
  L: Lowering,
  left: Expression,
  op: ArithOp,
  right: Expression,
  node: Node,
): Value {
  const t = targetOf(L, left);
  if (!t) return { kind: "error" };
  if (t.kind === "view")
    return L.report("TSB1007", node, [`${op}=`, "header views cannot be computed with"]);
  const old = read(L, t);
  const rhs = lowerInt(L, right);
  if (!rhs) return { kind: "error" };
  const r = arith(L, op, old, rhs, node);
  if (r.kind !== "int") return r;
  const c = convert(L, r, old.type, node, false);
  write(L, t, c);
  return c;
}

export function increment(
  L: Lowering,
  operand: Expression,
  op: "+" | "-",
  postfix: boolean,
): Value {
  const t = targetOf(L, operand);
  if (!t) return { kind: "error" };
  if (t.kind === "view")
    return L.report("TSB1007", operand, [`${op}${op}`, "header views cannot be incremented"]);
  let old = read(L, t);
  if (postfix && t.kind === "var") {
    // The old value must survive the update.
    const copy = L.b.vreg();
    L.b.emit({ op: "mov", w: regWidth(old.type), dst: copy, src: old.op });
    old = { ...old, op: reg(copy), temp: true };
  }
  const r = arith(L, op, old, intConst(1n, old.type, true), operand);
  if (r.kind !== "int") return r;
  write(L, t, r);
  return postfix ? old : r;
}
