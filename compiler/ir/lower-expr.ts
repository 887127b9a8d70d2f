// Expressions to IR values. One switch over the expression kinds the subset
// allows; each case hands off to one function; anything else is refused with
// the same words the subset walk uses. Identifiers resolve to bindings
// (locals, parameters, the context) or to compile-time constants (module
// `const`s, stdlib constants, enum members), whose initializers are
// evaluated exactly as bigint.

import { type Expression, Node, SyntaxKind } from "../frontend/ts-morph.js";
import { describeUnsupported } from "../frontend/unsupported.js";
import { intTypeOfNode, literalValue } from "../types/annotations.js";
import { BOOL, type IntType, literalDefault, regWidth } from "../types/int-type.js";
import { imm, reg } from "./ir.js";
import {
  type ArithOp,
  arith,
  convert,
  intConst,
  type IntValue,
  settle,
  unary,
} from "./lower-arith.js";
import { lowerCall } from "./lower-call.js";
import { lowerCond } from "./lower-cond.js";
import { type Lowering, type Value, declarationOf } from "./lower-context.js";
import { assign, compoundAssign, increment } from "./lower-assign.js";
import { readElement, readMember } from "./lower-packet.js";
import { isStableView, lowerIdentifierExt } from "./lower-ext.js";
import { lowerObjectLiteral } from "./lower-struct.js";

export function refuse(L: Lowering, node: Node): Value {
  const { what, hint } = describeUnsupported(node);
  return L.report("TSB1001", node, [what, hint]);
}

export function lowerExpr(L: Lowering, node: Expression): Value {
  switch (node.getKind()) {
    case SyntaxKind.NumericLiteral: {
      const v = literalValue(node.getText());
      if (v === undefined)
        return L.report("TSB2008", node, [node.getText(), "use an integer literal"]);
      return intConst(v, literalDefault(v), true);
    }
    case SyntaxKind.TrueKeyword:
      return intConst(1n, BOOL);
    case SyntaxKind.FalseKeyword:
      return intConst(0n, BOOL);
    case SyntaxKind.ParenthesizedExpression:
      return lowerExpr(
        L,
        (node as Node as import("ts-morph").ParenthesizedExpression).getExpression(),
      );
    case SyntaxKind.Identifier:
      return lowerIdentifier(L, node);
    case SyntaxKind.PropertyAccessExpression:
      return readMember(L, node as Node as import("ts-morph").PropertyAccessExpression);
    case SyntaxKind.ElementAccessExpression:
      return readElement(L, node as Node as import("ts-morph").ElementAccessExpression);
    case SyntaxKind.BinaryExpression:
      return lowerBinary(L, node as Node as import("ts-morph").BinaryExpression);
    case SyntaxKind.PrefixUnaryExpression:
      return lowerPrefix(L, node as Node as import("ts-morph").PrefixUnaryExpression);
    case SyntaxKind.PostfixUnaryExpression: {
      const p = node as Node as import("ts-morph").PostfixUnaryExpression;
      return increment(
        L,
        p.getOperand(),
        p.getOperatorToken() === SyntaxKind.PlusPlusToken ? "+" : "-",
        true,
      );
    }
    case SyntaxKind.ConditionalExpression:
      return lowerConditional(L, node as Node as import("ts-morph").ConditionalExpression);
    case SyntaxKind.CallExpression:
      return lowerCall(L, node as Node as import("ts-morph").CallExpression);
    case SyntaxKind.AsExpression:
      return lowerAs(L, node as Node as import("ts-morph").AsExpression);
    case SyntaxKind.ObjectLiteralExpression:
      return lowerObjectLiteral(L, node as Node as import("ts-morph").ObjectLiteralExpression);
    default:
      return refuse(L, node);
  }
}

/** Lower and require an integer. */
export function lowerInt(L: Lowering, node: Expression): IntValue | undefined {
  const v = lowerExpr(L, node);
  if (v.kind === "int") return v;
  if (v.kind !== "error")
    L.report("TSB2008", node, [node.getText(), "an integer is expected here"]);
  return undefined;
}

function lowerIdentifier(L: Lowering, node: Node): Value {
  const decl = declarationOf(node);
  if (!decl) return L.report("TSB1002", node, [node.getText()]);
  const bound = L.env.get(decl);
  if (bound) {
    // A declaration whose initializer failed was reported there; stay silent here.
    if (bound.kind === "int" && bound.poisoned) return { kind: "error" };
    if (bound.kind === "int")
      return {
        kind: "int",
        op: reg(bound.reg),
        type: bound.type,
        ...(bound.range ? { range: bound.range } : {}),
      };
    if (bound.kind === "ctx") return { kind: "ctx", reg: bound.reg };
    if (bound.generation < L.packetGeneration && !isStableView(bound.layout))
      return L.report("TSB3010", node, [node.getText(), L.lastPacketChange]);
    return { kind: "header", reg: bound.reg, layout: bound.layout };
  }
  if (node.getText() === "undefined") return refuse(L, node);
  const ext = lowerIdentifierExt(L, decl, node);
  if (ext) return ext;
  return constantOf(L, decl, node);
}

/** The value of a compile-time constant: a `const` with an initializer, or an enum member. */
export function constantOf(L: Lowering, decl: Node, use: Node): Value {
  if (Node.isEnumMember(decl)) {
    const init = decl.getInitializer();
    if (init && Node.isNumericLiteral(init))
      return intConst(
        literalValue(init.getText())!,
        literalDefault(literalValue(init.getText())!),
        true,
      );
    const v = decl.getValue();
    if (typeof v === "number") return intConst(BigInt(v), literalDefault(BigInt(v)), true);
    return L.report("TSB2008", use, [use.getText(), "enum members must have integer values"]);
  }
  if (
    Node.isVariableDeclaration(decl) &&
    decl.getVariableStatement()?.getDeclarationKind() === "const"
  ) {
    const init = decl.getInitializer();
    const isTopLevel = Node.isSourceFile(decl.getVariableStatement()?.getParent());
    if (init && isTopLevel) {
      if (L.evaluating.has(decl))
        return L.report("TSB2008", use, [use.getText(), "constants may not refer to themselves"]);
      L.evaluating.add(decl);
      try {
        const v = lowerExpr(L, init);
        if (v.kind !== "int" || v.op.kind !== "imm") {
          if (v.kind === "error") return v;
          return L.report("TSB2008", use, [
            use.getText(),
            "module-level constants must be integer constants",
          ]);
        }
        const annotated = intTypeOfNode(decl.getTypeNode());
        return annotated ? convert(L, v, annotated, init, false) : v;
      } finally {
        L.evaluating.delete(decl);
      }
    }
  }
  if (Node.isFunctionDeclaration(decl))
    return L.report("TSB1012", use, ["a function used as a value", "call it instead"]);
  return L.report("TSB1002", use, [use.getText()]);
}

const ARITH: Partial<Record<SyntaxKind, ArithOp>> = {
  [SyntaxKind.PlusToken]: "+",
  [SyntaxKind.MinusToken]: "-",
  [SyntaxKind.AsteriskToken]: "*",
  [SyntaxKind.SlashToken]: "/",
  [SyntaxKind.PercentToken]: "%",
  [SyntaxKind.AmpersandToken]: "&",
  [SyntaxKind.BarToken]: "|",
  [SyntaxKind.CaretToken]: "^",
  [SyntaxKind.LessThanLessThanToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanToken]: ">>",
  [SyntaxKind.GreaterThanGreaterThanGreaterThanToken]: ">>>",
};

export const COMPOUND: Partial<Record<SyntaxKind, ArithOp>> = {
  [SyntaxKind.PlusEqualsToken]: "+",
  [SyntaxKind.MinusEqualsToken]: "-",
  [SyntaxKind.AsteriskEqualsToken]: "*",
  [SyntaxKind.SlashEqualsToken]: "/",
  [SyntaxKind.PercentEqualsToken]: "%",
  [SyntaxKind.AmpersandEqualsToken]: "&",
  [SyntaxKind.BarEqualsToken]: "|",
  [SyntaxKind.CaretEqualsToken]: "^",
  [SyntaxKind.LessThanLessThanEqualsToken]: "<<",
  [SyntaxKind.GreaterThanGreaterThanEqualsToken]: ">>",
  [SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken]: ">>>",
};

const BOOLEAN_OPS = new Set<SyntaxKind>([
  SyntaxKind.AmpersandAmpersandToken,
  SyntaxKind.BarBarToken,
  SyntaxKind.EqualsEqualsToken,
  SyntaxKind.EqualsEqualsEqualsToken,
  SyntaxKind.ExclamationEqualsToken,
  SyntaxKind.ExclamationEqualsEqualsToken,
  SyntaxKind.LessThanToken,
  SyntaxKind.LessThanEqualsToken,
  SyntaxKind.GreaterThanToken,
  SyntaxKind.GreaterThanEqualsToken,
]);

function lowerBinary(L: Lowering, node: import("ts-morph").BinaryExpression): Value {
  const kind = node.getOperatorToken().getKind();
  const arithOp = ARITH[kind];
  if (arithOp) {
    const a = lowerInt(L, node.getLeft());
    const b = lowerInt(L, node.getRight());
    if (!a || !b) return { kind: "error" };
    return arith(L, arithOp, a, b, node);
  }
  if (BOOLEAN_OPS.has(kind)) return boolValue(L, node);
  if (kind === SyntaxKind.EqualsToken) return assign(L, node.getLeft(), node.getRight(), node);
  const compound = COMPOUND[kind];
  if (compound) return compoundAssign(L, node.getLeft(), compound, node.getRight(), node);
  const hints: Partial<Record<SyntaxKind, string>> = {
    [SyntaxKind.AsteriskAsteriskToken]: "multiply explicitly or shift by a constant",
    [SyntaxKind.QuestionQuestionToken]: "check for null with `if (!x)` first",
    [SyntaxKind.InKeyword]: "fields are known at compile time",
    [SyntaxKind.InstanceOfKeyword]: "types are known at compile time",
    [SyntaxKind.CommaToken]: "write separate statements",
  };
  return L.report("TSB1007", node.getOperatorToken(), [
    node.getOperatorToken().getText(),
    hints[kind] ?? "use integer operators",
  ]);
}

/** A condition used as a value: 1 or 0 in a fresh vreg, through branches. */
function boolValue(L: Lowering, node: Expression): Value {
  const dst = L.b.vreg();
  const t = L.b.newBlock();
  const f = L.b.newBlock();
  const join = L.b.newBlock();
  lowerCond(L, node, t, f);
  L.b.setBlock(t);
  L.b.emit({ op: "mov", w: 32, dst, src: imm(1) });
  L.b.jump(join, f);
  L.b.emit({ op: "mov", w: 32, dst, src: imm(0) });
  L.b.jump(join, join);
  return { kind: "int", op: reg(dst), type: BOOL, temp: true };
}

function lowerPrefix(L: Lowering, node: import("ts-morph").PrefixUnaryExpression): Value {
  const op = node.getOperatorToken();
  switch (op) {
    case SyntaxKind.ExclamationToken:
      return boolValue(L, node);
    case SyntaxKind.PlusPlusToken:
      return increment(L, node.getOperand(), "+", false);
    case SyntaxKind.MinusMinusToken:
      return increment(L, node.getOperand(), "-", false);
    case SyntaxKind.MinusToken:
    case SyntaxKind.TildeToken: {
      const v = lowerInt(L, node.getOperand());
      if (!v) return { kind: "error" };
      return unary(L, op === SyntaxKind.MinusToken ? "-" : "~", v, node);
    }
    default:
      return L.report("TSB1007", node, ["unary +", "numbers are already integers; remove the +"]);
  }
}

function lowerConditional(L: Lowering, node: import("ts-morph").ConditionalExpression): Value {
  const t = L.b.newBlock();
  const f = L.b.newBlock();
  const join = L.b.newBlock();
  lowerCond(L, node.getCondition(), t, f);
  // Type both arms first on scratch blocks would need two passes; instead the
  // result takes the type of the first non-literal arm, and the other arm is
  // converted to it.
  const dst = L.b.vreg();
  L.b.setBlock(t);
  const a = lowerExpr(L, node.getWhenTrue());
  const tEnd = L.b.cur;
  L.b.setBlock(f);
  const b = lowerExpr(L, node.getWhenFalse());
  const fEnd = L.b.cur;
  if (a.kind !== "int" || b.kind !== "int") {
    if (a.kind === "header" && b.kind === "header") return refuse(L, node);
    if (a.kind !== "error" && b.kind !== "error")
      L.report("TSB2008", node, [node.getText(), "both arms of ?: must be integers"]);
    L.b.setBlock(tEnd);
    L.b.jump(join, join);
    return { kind: "error" };
  }
  let type: IntType | undefined = a.literal
    ? b.literal
      ? settle(a).type
      : b.type
    : b.literal
      ? a.type
      : undefined;
  if (!type) type = a.type.bits >= b.type.bits ? a.type : b.type;
  L.b.setBlock(tEnd);
  const ca = convert(L, a, type, node.getWhenTrue(), false);
  L.b.emit({ op: "mov", w: regWidth(type), dst, src: ca.op });
  L.b.jump(join);
  L.b.setBlock(fEnd);
  const cb = convert(L, b, type, node.getWhenFalse(), false);
  L.b.emit({ op: "mov", w: regWidth(type), dst, src: cb.op });
  L.b.jump(join, join);
  const result: IntValue = { kind: "int", op: reg(dst), type, temp: true };
  if (ca.op.kind === "imm" && cb.op.kind === "imm" && a.op.kind === "imm" && b.op.kind === "imm") {
    const [x, y] = [a.op.value, b.op.value];
    result.range = x < y ? [x, y] : [y, x];
  }
  return result;
}

function lowerAs(L: Lowering, node: import("ts-morph").AsExpression): Value {
  const to = intTypeOfNode(node.getTypeNode());
  if (!to) {
    const text = node.getTypeNode()?.getText() ?? "";
    if (text === "const") return lowerExpr(L, node.getExpression());
    return L.report("TSB2005", node.getTypeNode() ?? node, [text]);
  }
  const v = lowerInt(L, node.getExpression());
  if (!v) return { kind: "error" };
  return convert(L, v, to, node, true);
}
