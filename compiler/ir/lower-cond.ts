// Conditions straight to branches: `&&`, `||` and `!` become control flow,
// comparisons become one conditional jump at the operands' width and
// signedness (JMP32 for values up to 32 bits), and a header view's truthiness
// becomes a null test that the jump-threading pass later folds into the
// bounds check itself.

import { type Expression, Node, SyntaxKind } from "../frontend/ts-morph.js";
import { typeName } from "../types/int-type.js";
import type { Block, CondKind, Operand } from "./ir.js";
import { imm, swapCond } from "./ir.js";
import { convert, meetTypes, toReg } from "./lower-arith.js";
import type { Lowering } from "./lower-context.js";
import { lowerExpr } from "./lower-expr.js";

const COMPARE: Partial<Record<SyntaxKind, "eq" | "ne" | "lt" | "le" | "gt" | "ge">> = {
  [SyntaxKind.EqualsEqualsToken]: "eq",
  [SyntaxKind.EqualsEqualsEqualsToken]: "eq",
  [SyntaxKind.ExclamationEqualsToken]: "ne",
  [SyntaxKind.ExclamationEqualsEqualsToken]: "ne",
  [SyntaxKind.LessThanToken]: "lt",
  [SyntaxKind.LessThanEqualsToken]: "le",
  [SyntaxKind.GreaterThanToken]: "gt",
  [SyntaxKind.GreaterThanEqualsToken]: "ge",
};

export function lowerCond(L: Lowering, node: Expression, t: Block, f: Block): void {
  if (Node.isParenthesizedExpression(node)) return lowerCond(L, node.getExpression(), t, f);
  if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.ExclamationToken)
    return lowerCond(L, node.getOperand(), f, t);
  if (Node.isBinaryExpression(node)) {
    const k = node.getOperatorToken().getKind();
    if (k === SyntaxKind.AmpersandAmpersandToken || k === SyntaxKind.BarBarToken) {
      const mid = L.b.newBlock();
      if (k === SyntaxKind.AmpersandAmpersandToken) lowerCond(L, node.getLeft(), mid, f);
      else lowerCond(L, node.getLeft(), t, mid);
      L.b.setBlock(mid);
      return lowerCond(L, node.getRight(), t, f);
    }
    const cmp = COMPARE[k];
    if (cmp) return compare(L, cmp, node.getLeft(), node.getRight(), node, t, f);
  }
  if (node.getKind() === SyntaxKind.TrueKeyword) return L.b.jump(t);
  if (node.getKind() === SyntaxKind.FalseKeyword) return L.b.jump(f);
  const v = lowerExpr(L, node);
  if (v.kind === "int") {
    if (v.op.kind === "imm") return L.b.jump(v.op.value !== 0n ? t : f);
    const w = v.type.bits === 64 ? 64 : 32;
    return L.b.terminate({ op: "br", w, cond: "ne", a: v.op.reg, b: imm(0), then: t, else: f });
  }
  if (v.kind === "header")
    return L.b.terminate({ op: "br", w: 64, cond: "ne", a: v.reg, b: imm(0), then: t, else: f });
  if (v.kind === "ctx") return L.b.jump(t);
  L.b.jump(t);
}

function isNull(node: Expression): boolean {
  return node.getKind() === SyntaxKind.NullKeyword || node.getText() === "undefined";
}

function compare(
  L: Lowering,
  cmp: "eq" | "ne" | "lt" | "le" | "gt" | "ge",
  left: Expression,
  right: Expression,
  node: Expression,
  t: Block,
  f: Block,
): void {
  // `hdr === null` / `hdr !== null`: a null test of the view.
  if (isNull(right) || isNull(left)) {
    const v = lowerExpr(L, isNull(right) ? left : right);
    if (v.kind === "header" && (cmp === "eq" || cmp === "ne"))
      return L.b.terminate({ op: "br", w: 64, cond: cmp, a: v.reg, b: imm(0), then: t, else: f });
    if (v.kind !== "error")
      L.report("TSB2008", node, [node.getText(), "only header views can be compared with null"]);
    return L.b.jump(t);
  }
  const a = lowerExpr(L, left);
  const b = lowerExpr(L, right);
  if (a.kind !== "int" || b.kind !== "int") {
    if (a.kind !== "error" && b.kind !== "error")
      L.report("TSB2008", node, [node.getText(), "only integers can be compared"]);
    return L.b.jump(t);
  }
  if (a.literal && b.literal && a.op.kind === "imm" && b.op.kind === "imm") {
    return L.b.jump(evalCompare(cmp, a.op.value, b.op.value) ? t : f);
  }
  const type = meetTypes(L, a, b, node);
  if (!type) return L.b.jump(t);
  if (type.be && cmp !== "eq" && cmp !== "ne") {
    L.report("TSB2004", node, [typeName(type), "ordering"]);
    return L.b.jump(t);
  }
  const ca = convert(L, a, type, left, false);
  const cb = convert(L, b, type, right, false);
  if (ca.op.kind === "imm" && cb.op.kind === "imm") {
    return L.b.jump(evalCompare(cmp, ca.op.value, cb.op.value) ? t : f);
  }
  let cond = condKind(cmp, type.signed);
  let lhs: Operand = ca.op;
  let rhs: Operand = cb.op;
  if (lhs.kind === "imm") {
    [lhs, rhs] = [rhs, lhs];
    cond = swapCond(cond);
  }
  const aReg = lhs.kind === "reg" ? lhs.reg : toReg(L, { ...ca, op: lhs });
  const w = type.bits === 64 ? 64 : 32;
  L.b.terminate({ op: "br", w, cond, a: aReg, b: rhs, then: t, else: f });
}

function condKind(cmp: "eq" | "ne" | "lt" | "le" | "gt" | "ge", signed: boolean): CondKind {
  if (cmp === "eq" || cmp === "ne") return cmp;
  const u = { lt: "ult", le: "ule", gt: "ugt", ge: "uge" } as const;
  const s = { lt: "slt", le: "sle", gt: "sgt", ge: "sge" } as const;
  return signed ? s[cmp] : u[cmp];
}

function evalCompare(cmp: string, a: bigint, b: bigint): boolean {
  switch (cmp) {
    case "eq":
      return a === b;
    case "ne":
      return a !== b;
    case "lt":
      return a < b;
    case "le":
      return a <= b;
    case "gt":
      return a > b;
    default:
      return a >= b;
  }
}
