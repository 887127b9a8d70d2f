// Statements to blocks: declarations bind locals to vregs (widths from the
// annotation, else inferred from the initializer), if/else, loops with
// break/continue targets, switch over integer constants, and return. Loops
// must have a condition the compiler can see (the verifier needs a bound).

import {
  type Expression,
  Node,
  type Statement,
  SyntaxKind,
  type VariableDeclaration,
} from "../frontend/ts-morph.js";
import { interfaceOfNode, intTypeOfNode } from "../types/annotations.js";
import { regWidth, typeName, U32 } from "../types/int-type.js";
import type { Block } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert, type IntValue, settle } from "./lower-arith.js";
import { lowerCond } from "./lower-cond.js";
import type { Lowering } from "./lower-context.js";
import { lowerExpr, lowerInt, refuse } from "./lower-expr.js";
import { lowerForOf } from "./lower-range.js";

export function lowerStatement(L: Lowering, s: Statement): void {
  L.setPos(s);
  switch (s.getKind()) {
    case SyntaxKind.Block:
      for (const x of (s as import("ts-morph").Block).getStatements()) lowerStatement(L, x);
      return;
    case SyntaxKind.EmptyStatement:
      return;
    case SyntaxKind.VariableStatement:
      for (const d of (s as import("ts-morph").VariableStatement).getDeclarations())
        lowerDeclaration(L, d);
      return;
    case SyntaxKind.ExpressionStatement:
      lowerExpr(L, (s as import("ts-morph").ExpressionStatement).getExpression());
      return;
    case SyntaxKind.IfStatement:
      return lowerIf(L, s as import("ts-morph").IfStatement);
    case SyntaxKind.ReturnStatement:
      return lowerReturn(L, (s as import("ts-morph").ReturnStatement).getExpression(), s);
    case SyntaxKind.ForStatement:
      return lowerFor(L, s as import("ts-morph").ForStatement);
    case SyntaxKind.WhileStatement: {
      const w = s as import("ts-morph").WhileStatement;
      return lowerLoop(L, w.getExpression(), undefined, w.getStatement(), false, s);
    }
    case SyntaxKind.DoStatement: {
      const d = s as import("ts-morph").DoStatement;
      return lowerLoop(L, d.getExpression(), undefined, d.getStatement(), true, s);
    }
    case SyntaxKind.BreakStatement:
    case SyntaxKind.ContinueStatement: {
      const isBreak = s.getKind() === SyntaxKind.BreakStatement;
      if ((s as import("ts-morph").BreakStatement).getLabel()) {
        L.report("TSB1001", s, [
          "labeled statements",
          "restructure the loop or use a flag variable",
        ]);
        return;
      }
      const loop = [...L.loops].reverse().find((l) => isBreak || l.continueTo);
      if (!loop) return;
      L.b.jump(isBreak ? loop.breakTo : loop.continueTo!);
      return;
    }
    case SyntaxKind.SwitchStatement:
      return lowerSwitch(L, s as import("ts-morph").SwitchStatement);
    case SyntaxKind.ForOfStatement:
      return lowerForOf(L, s as import("ts-morph").ForOfStatement);
    default:
      refuse(L, s);
  }
}

function lowerDeclaration(L: Lowering, d: VariableDeclaration): void {
  const nameNode = d.getNameNode();
  if (!Node.isIdentifier(nameNode)) {
    L.report("TSB1011", nameNode);
    return;
  }
  const annotated = intTypeOfNode(d.getTypeNode());
  const init = d.getInitializer();
  if (d.getTypeNode() && !annotated && !interfaceOfNode(d.getTypeNode())) {
    L.report("TSB2005", d.getTypeNode()!, [d.getTypeNode()!.getText()]);
    return;
  }
  if (!init) {
    const t = annotated ?? U32;
    const r = L.b.vreg();
    L.b.emit({ op: "mov", w: regWidth(t), dst: r, src: imm(0) });
    const range = L.letRanges.bind(d, [0n, 0n]);
    L.env.set(d, { kind: "int", reg: r, type: t, ...(range ? { range } : {}) });
    return;
  }
  const v = lowerExpr(L, init);
  if (v.kind === "error") {
    // The initializer was reported; later uses are silent (one root cause, one diagnostic).
    L.env.set(d, { kind: "int", reg: L.b.vreg(), type: annotated ?? U32, poisoned: true });
    return;
  }
  if (v.kind === "ctx") {
    L.env.set(d, { kind: "ctx", reg: v.reg });
    return;
  }
  if (v.kind === "header") {
    const r = v.temp ? v.reg : L.b.vreg(true);
    if (!v.temp) L.b.emit({ op: "mov", w: 64, dst: r, src: reg(v.reg) });
    L.env.set(d, { kind: "header", reg: r, layout: v.layout, generation: L.packetGeneration });
    return;
  }
  const c: IntValue = annotated ? convert(L, v, annotated, init, false) : settle(v);
  if (c.type.bool && !annotated && c.op.kind === "imm") c.type = { ...c.type };
  const bindTemp = c.temp && c.op.kind === "reg";
  const r = bindTemp && c.op.kind === "reg" ? c.op.reg : L.b.vreg();
  if (!bindTemp) L.b.emit({ op: "mov", w: regWidth(c.type), dst: r, src: c.op });
  const isConst = d.getVariableStatement()?.getDeclarationKind() === "const";
  const known = c.op.kind === "imm" ? [c.op.value, c.op.value] : (c.range ?? v.range);
  // A `let` keeps the invariant of all its writes (let-ranges.ts).
  const range = isConst
    ? (c.range ?? v.range)
    : L.letRanges.bind(d, known ? ([...known] as [bigint, bigint]) : null);
  L.env.set(d, { kind: "int", reg: r, type: c.type, ...(range ? { range } : {}) });
}

function lowerIf(L: Lowering, s: import("ts-morph").IfStatement): void {
  const then = L.b.newBlock();
  const join = L.b.newBlock();
  const elseStmt = s.getElseStatement();
  const other = elseStmt ? L.b.newBlock() : join;
  lowerCond(L, s.getExpression(), then, other);
  L.b.setBlock(then);
  lowerStatement(L, s.getThenStatement());
  L.b.jump(join);
  if (elseStmt) {
    L.b.setBlock(other);
    lowerStatement(L, elseStmt);
    L.b.jump(join);
  }
  L.b.setBlock(join);
}

function lowerReturn(L: Lowering, e: Expression | undefined, s: Node): void {
  if (!e) {
    L.b.terminate({ op: "ret", value: imm(0) });
    return;
  }
  const v = lowerInt(L, e);
  if (!v) {
    L.b.terminate({ op: "ret", value: imm(0) });
    return;
  }
  let out = v;
  if (L.returnType) out = convert(L, v, L.returnType, e, false);
  else if (v.type.bits === 64 && !v.literal) L.report("TSB2001", e, [typeName(v.type), "u32"]);
  void s;
  L.b.terminate({ op: "ret", value: out.op });
}

function lowerFor(L: Lowering, s: import("ts-morph").ForStatement): void {
  const init = s.getInitializer();
  if (init) {
    if (Node.isVariableDeclarationList(init))
      for (const d of init.getDeclarations()) lowerDeclaration(L, d);
    else lowerExpr(L, init as Expression);
  }
  lowerLoop(L, s.getCondition(), s.getIncrementor(), s.getStatement(), false, s);
}

/** while / do-while / for: cond block, body, latch (increment), exit. */
function lowerLoop(
  L: Lowering,
  cond: Expression | undefined,
  incr: Expression | undefined,
  body: Statement,
  bodyFirst: boolean,
  s: Node,
): void {
  if (
    !cond ||
    cond.getKind() === SyntaxKind.TrueKeyword ||
    (Node.isNumericLiteral(cond) && cond.getText() !== "0")
  ) {
    L.report("TSB4001", cond ?? s.getFirstChild() ?? s);
  }
  const head = L.b.newBlock();
  const bodyBlock = L.b.newBlock();
  const latch = L.b.newBlock();
  const exit = L.b.newBlock();
  L.b.jump(bodyFirst ? bodyBlock : head);
  L.b.setBlock(head);
  if (cond) lowerCond(L, cond, bodyBlock, exit);
  else L.b.jump(bodyBlock);
  L.b.setBlock(bodyBlock);
  L.loops.push({ breakTo: exit, continueTo: latch });
  lowerStatement(L, body);
  L.loops.pop();
  L.b.jump(latch);
  L.b.setBlock(latch);
  if (incr) {
    L.setPos(incr);
    lowerExpr(L, incr);
  }
  L.b.jump(head);
  L.b.setBlock(exit);
}

function lowerSwitch(L: Lowering, s: import("ts-morph").SwitchStatement): void {
  const v0 = lowerInt(L, s.getExpression());
  const exit = L.b.newBlock();
  const clauses = s.getClauses();
  const bodies = clauses.map(() => L.b.newBlock());
  if (!v0) return;
  const v = settle(v0);
  const r =
    v.op.kind === "reg"
      ? v.op.reg
      : (() => {
          const t = L.b.vreg();
          L.b.emit({ op: "mov", w: regWidth(v.type), dst: t, src: v.op });
          return t;
        })();
  let fallback: Block = exit;
  clauses.forEach((c, i) => {
    if (Node.isDefaultClause(c)) {
      fallback = bodies[i]!;
      return;
    }
    const e = c.getExpression();
    const k = lowerInt(L, e);
    if (!k) return;
    if (k.op.kind !== "imm") {
      L.report("TSB1012", e, ["a non-constant case", "case labels must be integer constants"]);
      return;
    }
    const kc = convert(L, k, v.type, e, false);
    const next = L.b.newBlock();
    L.b.terminate(
      { op: "br", w: regWidth(v.type), cond: "eq", a: r, b: kc.op, then: bodies[i]!, else: next },
      next,
    );
  });
  L.b.jump(fallback);
  L.loops.push({ breakTo: exit });
  clauses.forEach((c, i) => {
    L.b.setBlock(bodies[i]!);
    for (const st of c.getStatements()) lowerStatement(L, st);
    L.b.jump(bodies[i + 1] ?? exit);
  });
  L.loops.pop();
  L.b.setBlock(exit);
}
