// Stage 0: size and nesting limits, checked before anything recursive runs.
// TypeScript's parser, binder and checker, ts-morph's wrappers and our own
// walks all recurse once per nesting level, so a deep enough input
// overflows the stack (measured with node's default stack: the parser at
// ~700 nested parentheses, the binder at ~800 nested ifs, the subset walk at
// a ~1000-operand `&&` chain). Two checks, both iterative:
//  - scanNesting: brackets, on the token stream before parsing;
//  - checkLimits: the parsed tree (nesting of expressions and statements,
//    operands in one left-nested chain `a + b + c ...`), before binding.
// The limits are far above what a BPF program needs and far below the depth
// where anything overflows.

import type { ts as TS } from "ts-morph";
import { ts } from "./ts-morph.js";

/** Nesting levels (brackets, or expression/statement nodes). */
export const MAX_NESTING = 100;
/** Operands of one binary chain such as `a + b + c + ...`. */
export const MAX_OPERANDS = 500;

export interface LimitFinding {
  code: "TSB1601" | "TSB1602";
  start: number;
  end: number;
  args: (string | number)[];
}

/** Bracket depth on the token stream; the first bracket past the limit. */
export function scanNesting(text: string): LimitFinding | undefined {
  const scanner = ts.createScanner(ts.ScriptTarget.ES2022, true, ts.LanguageVariant.Standard, text);
  let depth = 0;
  let max = 0;
  let at = -1;
  for (let tok = scanner.scan(); tok !== ts.SyntaxKind.EndOfFileToken; tok = scanner.scan()) {
    switch (tok) {
      case ts.SyntaxKind.OpenParenToken:
      case ts.SyntaxKind.OpenBracketToken:
      case ts.SyntaxKind.OpenBraceToken:
      case ts.SyntaxKind.TemplateHead:
        depth++;
        if (depth > max) {
          max = depth;
          if (depth === MAX_NESTING + 1) at = scanner.getTokenStart();
        }
        break;
      case ts.SyntaxKind.CloseParenToken:
      case ts.SyntaxKind.CloseBracketToken:
      case ts.SyntaxKind.CloseBraceToken:
        if (depth > 0) depth--;
        break;
    }
  }
  if (at < 0) return undefined;
  return { code: "TSB1601", start: at, end: at + 1, args: ["brackets", max, MAX_NESTING] };
}

/** Kinds that do not add a nesting level of their own. */
const TRANSPARENT = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.SourceFile,
  ts.SyntaxKind.Block,
  ts.SyntaxKind.VariableDeclarationList,
  ts.SyntaxKind.CaseBlock,
]);

/**
 * Nesting depth and chain length over a parsed file, without recursion. A
 * binary expression that is the left operand of another adds no level (it
 * is one chain, counted by operands instead).
 */
export function checkLimits(sf: TS.SourceFile): LimitFinding | undefined {
  const nodes: TS.Node[] = [sf];
  const levels: number[] = [0];
  const lefts: boolean[] = [false];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    let level = levels.pop()!;
    const inChain = lefts.pop()!;
    if (!TRANSPARENT.has(node.kind) && !(inChain && ts.isBinaryExpression(node))) level++;
    if (level > MAX_NESTING) {
      const start = node.getStart(sf);
      const what = ts.isExpression(node) ? "expression" : "statement";
      return { code: "TSB1601", start, end: start + 1, args: [what, level, MAX_NESTING] };
    }
    if (ts.isBinaryExpression(node) && !inChain) {
      let operands = 1;
      for (let e: TS.Expression = node; ts.isBinaryExpression(e); e = e.left) operands++;
      if (operands > MAX_OPERANDS) {
        const start = node.getStart(sf);
        return { code: "TSB1602", start, end: start + 1, args: [operands, MAX_OPERANDS] };
      }
    }
    const children: TS.Node[] = [];
    ts.forEachChild(node, (c) => {
      children.push(c);
    });
    const left = ts.isBinaryExpression(node) ? node.left : undefined;
    for (let i = children.length - 1; i >= 0; i--) {
      nodes.push(children[i]!);
      levels.push(level);
      lefts.push(children[i] === left);
    }
  }
  return undefined;
}
