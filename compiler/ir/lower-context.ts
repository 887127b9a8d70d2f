// The state shared by the lowering files while one function is turned into
// IR: the block builder, the bindings of locals and parameters, the loop
// stack for break/continue, the program kind (for context and helper
// checks), and diagnostics. Lowering never throws on user errors: it
// reports, returns an "error" value and carries on.

import { Node, type SourceFile } from "../frontend/ts-morph.js";
import type { SourcePos } from "../../bpf/isa/index.js";
import type { DiagnosticBag, Located } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/table.js";
import type { IntType } from "../types/int-type.js";
import type { StructLayout } from "../types/annotations.js";
import type { ContextFacts, ProgramKind } from "../types/kernel-facts.js";
import { FunctionBuilder } from "./builder.js";
import { LetRanges } from "./let-ranges.js";
import type { Block, Operand, VReg } from "./ir.js";
import type { RangeCheck } from "./range-check.js";

export type Value =
  | {
      kind: "int";
      op: Operand;
      type: IntType;
      literal?: boolean;
      temp?: boolean;
      /** Known value range (from constants and masks): lets an implicit conversion that cannot lose bits through. */
      range?: [bigint, bigint];
    }
  | { kind: "ctx"; reg: VReg }
  | { kind: "header"; reg: VReg; layout: StructLayout; temp?: boolean }
  | { kind: "error" };

export type Binding =
  /**
   * range: known bounds of a `const`, or the invariant of a `let` (let-ranges.ts),
   * kept so offsets stay provably bounded. poisoned: its initializer failed and was
   * reported; uses are silent errors so one mistake gives one diagnostic.
   */
  | { kind: "int"; reg: VReg; type: IntType; range?: [bigint, bigint]; poisoned?: true }
  | { kind: "ctx"; reg: VReg }
  | {
      kind: "header";
      reg: VReg;
      layout: StructLayout;
      /** Value of Lowering.packetGeneration when the view was taken. */
      generation: number;
    };

export interface LoopTargets {
  breakTo: Block;
  continueTo?: Block;
}

/** What lowering knows about the module around the current function. */
export interface ModuleInfo {
  /** Non-exported functions that become BPF-to-BPF calls, by declaration. */
  localFunctions: Map<Node, string>;
  /** Display name of each source file (as the user passed it). */
  fileNames: Map<SourceFile, string>;
  /** Whether a declaration comes from the stdlib ("tsbpf"). */
  isStdlib(node: Node): boolean;
  /** Maps, globals and kfuncs of the module (module-data.ts), set by lowerModule. */
  data?: import("./module-data.js").ModuleData;
}

export class Lowering {
  readonly b: FunctionBuilder;
  readonly env = new Map<Node, Binding>();
  readonly loops: LoopTargets[] = [];
  /** Bumped by every helper call that may move packet data (invalidating views). */
  packetGeneration = 0;
  /** The last such helper, for the diagnostic. */
  lastPacketChange = "";
  /** BPF-to-BPF call sites, for the recursion check. */
  readonly calls: { callee: string; node: Node }[] = [];
  /** Constant declarations being evaluated (guards `const a = b; const b = a`). */
  readonly evaluating = new Set<Node>();
  /** The context parameter's vreg, when the function has one. */
  ctxReg: VReg | undefined;
  /** The context the ctx vreg points to (a subprogram learns it from its parameter type). */
  ctx: ContextFacts | undefined;
  /** Integer return type of the function (undefined for void). */
  returnType: IntType | undefined;
  /** Invariants of `let` locals for this lowering pass (let-ranges.ts). */
  letRanges = new LetRanges(undefined);
  /** Bounds the verifier will need, proved on the IR once the function is lowered (range-check.ts). */
  readonly rangeChecks: RangeCheck[] = [];

  constructor(
    name: string,
    readonly kind: ProgramKind | undefined,
    readonly module: ModuleInfo,
    readonly diags: DiagnosticBag,
  ) {
    this.b = new FunctionBuilder(name);
    this.ctx = undefined;
  }

  at(node: Node): Located {
    const sf = node.getSourceFile();
    return {
      file: this.module.fileNames.get(sf) ?? sf.getFilePath(),
      text: sf.getFullText(),
      start: node.getStart(),
      end: node.getEnd(),
    };
  }

  report(code: DiagnosticCode, node: Node, args: readonly (string | number)[] = []): Value {
    this.diags.report(code, this.at(node), args);
    return { kind: "error" };
  }

  /** Stamp following instructions with the position of `node` (for line info). */
  setPos(node: Node): void {
    this.b.pos = sourcePos(node, this.module.fileNames);
  }
}

/** Offsets of the "\n"s of a file's text (ts-morph's line count scans the text per call). */
const newlines = new WeakMap<SourceFile, { text: string; at: number[] }>();

/** 1-based line and column as ts-morph's getLineAndColumnAtPos, in O(log n). */
function lineAndColumn(
  sf: SourceFile,
  text: string,
  pos: number,
): { line: number; column: number } {
  let cached = newlines.get(sf);
  if (cached?.text !== text) {
    const at: number[] = [];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) at.push(i);
    cached = { text, at };
    newlines.set(sf, cached);
  }
  let lo = 0;
  let hi = cached.at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cached.at[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  let lineStart = pos;
  while (lineStart > 0) {
    const c = text.charCodeAt(lineStart - 1);
    if (c === 10 || c === 13) break;
    lineStart--;
  }
  return { line: lo + 1, column: pos - lineStart + 1 };
}

/**
 * Positions already computed, per node and display-name table (one per
 * compile). Lowering passes repeat (let-ranges.ts); a SourcePos is never
 * mutated, so later passes share the first one's.
 */
const positions = new WeakMap<Map<SourceFile, string>, WeakMap<Node, SourcePos>>();

export function sourcePos(node: Node, names: Map<SourceFile, string>): SourcePos {
  let known = positions.get(names);
  if (!known) positions.set(names, (known = new WeakMap()));
  let pos = known.get(node);
  if (!pos) known.set(node, (pos = computeSourcePos(node, names)));
  return pos;
}

function computeSourcePos(node: Node, names: Map<SourceFile, string>): SourcePos {
  const sf = node.getSourceFile();
  const start = node.getStart();
  const text = sf.getFullText();
  const { line, column } = lineAndColumn(sf, text, start);
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  let lineEnd = text.indexOf("\n", start);
  if (lineEnd < 0) lineEnd = text.length;
  return {
    file: names.get(sf) ?? sf.getFilePath(),
    line,
    column,
    text: text.slice(lineStart, lineEnd).replace(/\r$/, ""),
  };
}

/**
 * Declarations found so far, per node (null: none). The answer never changes
 * within one program, and a function is lowered up to four times (let-ranges.ts)
 * with each name looked up several times per pass: the checker's symbol
 * resolution, through ts-morph's wrappers, was a third of all lowering time.
 * Keyed by the ts-morph node, which belongs to one program's checker.
 */
const declarations = new WeakMap<Node, Node | null>();

/** The declaration an identifier refers to, looking through imports. */
export function declarationOf(node: Node): Node | undefined {
  const known = declarations.get(node);
  if (known !== undefined) return known ?? undefined;
  let sym = node.getSymbol();
  if (sym?.isAlias()) sym = sym.getAliasedSymbol();
  const decl = sym?.getValueDeclaration() ?? sym?.getDeclarations()[0];
  declarations.set(node, decl ?? null);
  return decl;
}

const nullable = new WeakMap<Node, boolean>();

/** Whether TypeScript's (narrowed) type of an expression still includes null; cached like declarationOf. */
export function typeIsNullable(expr: Node): boolean {
  let known = nullable.get(expr);
  if (known === undefined) nullable.set(expr, (known = expr.getType().isNullable()));
  return known;
}

export function isNode(x: unknown): x is Node {
  return x instanceof Node;
}
