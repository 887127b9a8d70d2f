// The module level of lowering: finds `export const name = xdp(...)` program
// declarations (with their options and section), the license, and the
// non-exported functions that become BPF-to-BPF calls; lowers each body to
// an IrFunction; checks the call graph for recursion and keeps only the
// functions some program reaches.

import {
  type ArrowFunction,
  type CallExpression,
  type FunctionDeclaration,
  type FunctionExpression,
  Node,
  type SourceFile,
} from "../frontend/ts-morph.js";
import type { DiagnosticBag } from "../diagnostics/diagnostic.js";
import { interfaceOfNode, intTypeOfNode } from "../types/annotations.js";
import {
  contextFacts,
  DECLARATORS,
  kindOfSection,
  type ProgramKind,
  sectionFor,
} from "../types/kernel-facts.js";
import { U32 } from "../types/int-type.js";
import type { IrFunction } from "./ir.js";
import {
  type Lowering as LoweringT,
  Lowering,
  type ModuleInfo,
  declarationOf,
  sourcePos,
} from "./lower-context.js";
import { lowerExpr } from "./lower-expr.js";
import { lowerStatement } from "./lower-stmt.js";
import { bindParamExt } from "./lower-ext.js";
import { collectModuleData, type ModuleData } from "./module-data.js";
import { type LetRanges, lowerToFixedPoint } from "./let-ranges.js";
import { reloadAfterCalls } from "./packet-bounds.js";
import { checkRanges } from "./range-check.js";

export interface IrProgram {
  name: string;
  section: string;
  kind: ProgramKind;
  fn: IrFunction;
}

export interface IrModule {
  programs: IrProgram[];
  /** Subprograms reachable from some program, in `.text`. */
  functions: IrFunction[];
  license: string;
  /** Maps, globals and kfuncs (part 2). */
  data?: ModuleData;
}

export function lowerModule(files: SourceFile[], info: ModuleInfo, diags: DiagnosticBag): IrModule {
  const mod: IrModule = { programs: [], functions: [], license: "GPL" };
  mod.data = collectModuleData(files, info, diags);
  const fnDecls: FunctionDeclaration[] = [];
  for (const sf of files)
    for (const st of sf.getStatements())
      if (Node.isFunctionDeclaration(st) && !st.isExported() && st.getName() && st.getBody()) {
        info.localFunctions.set(st, st.getName()!);
        fnDecls.push(st);
      }
  const calls = new Map<string, { callee: string; node: Node }[]>();
  for (const sf of files) {
    for (const st of sf.getStatements()) {
      if (!Node.isVariableStatement(st) || !st.isExported()) continue;
      for (const d of st.getDeclarations()) {
        const init = d.getInitializer();
        if (d.getName() === "license" && init && Node.isStringLiteral(init)) {
          mod.license = init.getLiteralValue();
          continue;
        }
        if (!init || !Node.isCallExpression(init)) continue;
        const p = lowerToFixedPoint(
          diags,
          (bag, ranges) => lowerProgram(d.getName(), init, info, bag, ranges),
          (p) => p && checkRanges(p.program.fn, p.rangeChecks),
        );
        if (p) {
          mod.programs.push(p.program);
          calls.set(p.program.name, p.calls);
        }
      }
    }
  }
  const lowered = new Map<string, IrFunction>();
  for (const decl of fnDecls) {
    const r = lowerToFixedPoint(
      diags,
      (bag, ranges) => lowerFunction(decl, info, bag, ranges),
      (r) => r && checkRanges(r.fn, r.rangeChecks),
    );
    if (!r) continue;
    lowered.set(r.fn.name, r.fn);
    calls.set(r.fn.name, r.calls);
  }
  checkRecursion(calls, diags, info);
  // Reachable subprograms, in declaration order.
  const reach = new Set<string>();
  const visit = (name: string) => {
    for (const c of calls.get(name) ?? []) {
      if (reach.has(c.callee)) continue;
      reach.add(c.callee);
      visit(c.callee);
    }
  };
  for (const p of mod.programs) visit(p.name);
  for (const [name, fn] of lowered) if (reach.has(name)) mod.functions.push(fn);
  return mod;
}

function lowerProgram(
  name: string,
  call: CallExpression,
  info: ModuleInfo,
  diags: DiagnosticBag,
  ranges: LetRanges,
) {
  const callee = call.getExpression();
  const decl = Node.isIdentifier(callee) ? declarationOf(callee) : undefined;
  const declarator = callee.getText();
  if (!decl || !info.isStdlib(decl) || !DECLARATORS.has(declarator)) {
    diags.report("TSB1008", at(info, callee), [callee.getText()]);
    return undefined;
  }
  const args = call.getArguments();
  const opts: Record<string, string | boolean> = {};
  if (args.length === 2) {
    const o = args[0]!;
    if (!Node.isObjectLiteralExpression(o)) {
      diags.report("TSB3009", at(info, o), [o.getText()]);
    } else {
      for (const p of o.getProperties()) {
        const init = Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
        const key = Node.isPropertyAssignment(p) ? p.getName() : p.getText();
        if (init && (init.getText() === "true" || init.getText() === "false"))
          opts[key] = init.getText() === "true";
        else if (init && Node.isStringLiteral(init)) opts[key] = init.getLiteralValue();
        else diags.report("TSB3009", at(info, p), [p.getText()]);
      }
    }
  }
  const fnNode = args[args.length - 1];
  if (
    !fnNode ||
    !(Node.isArrowFunction(fnNode) || Node.isFunctionExpression(fnNode)) ||
    fnNode.getParameters().length > 1
  ) {
    diags.report("TSB1010", at(info, fnNode ?? call));
    return undefined;
  }
  const section = sectionFor(declarator, opts);
  if (!section) {
    diags.report("TSB3009", at(info, args[0] ?? call), [JSON.stringify(opts)]);
    return undefined;
  }
  const kind = kindOfSection(section);
  const L = new Lowering(name, kind, info, diags);
  L.letRanges = ranges;
  L.ctx = contextFacts(section.context);
  L.returnType = undefined;
  const param = fnNode.getParameters()[0];
  if (param) {
    const r = L.b.vreg(true);
    L.b.fn.params.push(r);
    L.env.set(param, { kind: "ctx", reg: r });
    L.ctxReg = r;
  }
  L.b.fn.source = sourcePos(fnNode, info.fileNames);
  lowerBody(L, fnNode);
  reloadAfterCalls(L, L.b.fn);
  // The bounds walk (checkRanges) runs on the fixed point's last pass only.
  return {
    program: { name, section: section.section, kind, fn: L.b.fn },
    calls: L.calls,
    rangeChecks: L.rangeChecks,
  };
}

function lowerBody(
  L: LoweringT,
  fn: ArrowFunction | FunctionExpression | FunctionDeclaration,
): void {
  const body = fn.getBody();
  if (!body) return;
  L.setPos(body);
  if (Node.isBlock(body)) {
    for (const s of body.getStatements()) lowerStatement(L, s);
    L.b.terminate({ op: "ret", value: { kind: "imm", value: 0n } });
    return;
  }
  // Expression body: `(ctx) => XdpAction.PASS`.
  const v = lowerExpr(L, body as import("ts-morph").Expression);
  if (v.kind === "int") L.b.terminate({ op: "ret", value: v.op });
  else {
    if (v.kind !== "error") L.report("TSB3008", body);
    L.b.terminate({ op: "ret", value: { kind: "imm", value: 0n } });
  }
}

function lowerFunction(
  decl: FunctionDeclaration,
  info: ModuleInfo,
  diags: DiagnosticBag,
  ranges: LetRanges,
) {
  const name = decl.getName()!;
  const params = decl.getParameters();
  if (params.length > 5) {
    diags.report("TSB4003", at(info, decl.getNameNode() ?? decl), [name, params.length]);
    return undefined;
  }
  const L = new Lowering(name, undefined, info, diags);
  L.letRanges = ranges;
  const retNode = decl.getReturnTypeNode();
  L.returnType = intTypeOfNode(retNode);
  if (retNode && !L.returnType && retNode.getText() !== "void" && !interfaceOfNode(retNode)) {
    diags.report("TSB2005", at(info, retNode), [retNode.getText()]);
  }
  L.b.fn.source = sourcePos(decl, info.fileNames);
  for (const p of params) {
    const typeNode = p.getTypeNode();
    const t = intTypeOfNode(typeNode);
    const iface = interfaceOfNode(typeNode);
    if (t) {
      const r = L.b.vreg();
      L.b.fn.params.push(r);
      L.env.set(p, { kind: "int", reg: r, type: t });
    } else if (iface && contextFacts(iface.getName())) {
      const r = L.b.vreg(true);
      L.b.fn.params.push(r);
      L.env.set(p, { kind: "ctx", reg: r });
      L.ctx = contextFacts(iface.getName());
    } else if (!bindParamExt(L, p)) {
      diags.report("TSB2005", at(info, typeNode ?? p), [typeNode?.getText() ?? p.getName()]);
      const r = L.b.vreg();
      L.b.fn.params.push(r);
      L.env.set(p, { kind: "int", reg: r, type: U32 });
    }
  }
  lowerBody(L, decl);
  return { fn: L.b.fn, calls: L.calls, rangeChecks: L.rangeChecks };
}

function checkRecursion(
  calls: Map<string, { callee: string; node: Node }[]>,
  diags: DiagnosticBag,
  info: ModuleInfo,
): void {
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, "active");
    stack.push(name);
    for (const c of calls.get(name) ?? []) {
      const s = state.get(c.callee);
      if (s === "active") {
        const cycle = [...stack.slice(stack.indexOf(c.callee)), c.callee].join(" -> ");
        diags.report("TSB4002", at(info, c.node), [cycle]);
      } else if (s === undefined) visit(c.callee);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const name of calls.keys()) if (!state.has(name)) visit(name);
}

function at(info: ModuleInfo, node: Node) {
  const sf = node.getSourceFile();
  return {
    file: info.fileNames.get(sf) ?? sf.getFilePath(),
    text: sf.getFullText(),
    start: node.getStart(),
    end: node.getEnd(),
  };
}
