// Stage 2: the whitelist walk of the tsbpf subset. One switch decides, per
// node kind, whether the construct is allowed here; anything else is refused
// with its name and what to write instead (see unsupported.ts), and the walk
// goes on so one run reports every refused construct. Type positions are
// free except for `any`.

import { Node, type SourceFile, SyntaxKind, ts } from "./ts-morph.js";
import type { DiagnosticBag, Located } from "../diagnostics/diagnostic.js";
import type { DiagnosticCode } from "../diagnostics/table.js";
import { describeUnsupported } from "./unsupported.js";
import { allowedInBody } from "./subset-ext.js";

/** Kinds allowed inside function bodies (statements and expressions). */
const ALLOWED = new Set<SyntaxKind>([
  SyntaxKind.Block,
  SyntaxKind.EmptyStatement,
  SyntaxKind.VariableStatement,
  SyntaxKind.VariableDeclarationList,
  SyntaxKind.VariableDeclaration,
  SyntaxKind.ExpressionStatement,
  SyntaxKind.IfStatement,
  SyntaxKind.ReturnStatement,
  SyntaxKind.ForStatement,
  SyntaxKind.WhileStatement,
  SyntaxKind.DoStatement,
  SyntaxKind.BreakStatement,
  SyntaxKind.ContinueStatement,
  SyntaxKind.SwitchStatement,
  SyntaxKind.CaseBlock,
  SyntaxKind.CaseClause,
  SyntaxKind.DefaultClause,
  SyntaxKind.Identifier,
  SyntaxKind.NumericLiteral,
  SyntaxKind.TrueKeyword,
  SyntaxKind.FalseKeyword,
  SyntaxKind.ParenthesizedExpression,
  SyntaxKind.BinaryExpression,
  SyntaxKind.PrefixUnaryExpression,
  SyntaxKind.PostfixUnaryExpression,
  SyntaxKind.ConditionalExpression,
  SyntaxKind.CallExpression,
  SyntaxKind.PropertyAccessExpression,
  SyntaxKind.AsExpression,
  SyntaxKind.Parameter,
  SyntaxKind.QuestionToken,
  SyntaxKind.ColonToken,
  SyntaxKind.EqualsGreaterThanToken,
  SyntaxKind.SyntaxList,
  SyntaxKind.ConstKeyword,
  SyntaxKind.LetKeyword,
  SyntaxKind.ExportKeyword,
  SyntaxKind.DotToken,
  SyntaxKind.OpenParenToken,
  SyntaxKind.CloseParenToken,
  SyntaxKind.OpenBraceToken,
  SyntaxKind.CloseBraceToken,
  SyntaxKind.SemicolonToken,
  SyntaxKind.CommaToken,
  SyntaxKind.LessThanToken,
  SyntaxKind.GreaterThanToken,
]);

const BINARY_REFUSED: Partial<Record<SyntaxKind, string>> = {
  [SyntaxKind.AsteriskAsteriskToken]: "multiply explicitly or shift by a constant",
  [SyntaxKind.AsteriskAsteriskEqualsToken]: "multiply explicitly or shift by a constant",
  [SyntaxKind.QuestionQuestionToken]: "check for null with `if (!x)` first",
  [SyntaxKind.QuestionQuestionEqualsToken]: "check for null with `if (!x)` first",
  [SyntaxKind.BarBarEqualsToken]: "write `if (!x) x = y;`",
  [SyntaxKind.AmpersandAmpersandEqualsToken]: "write `if (x) x = y;`",
  [SyntaxKind.InKeyword]: "fields are known at compile time",
  [SyntaxKind.InstanceOfKeyword]: "types are known at compile time",
  [SyntaxKind.CommaToken]: "write separate statements",
};

export class SubsetChecker {
  constructor(
    private readonly bag: DiagnosticBag,
    private readonly fileNames: Map<SourceFile, string>,
  ) {}

  private at(node: Node): Located {
    const sf = node.getSourceFile();
    return {
      file: this.fileNames.get(sf) ?? sf.getFilePath(),
      text: sf.getFullText(),
      start: node.getStart(),
      end: node.getEnd(),
    };
  }

  private report(code: DiagnosticCode, node: Node, args: (string | number)[] = []): void {
    this.bag.report(code, this.at(node), args);
  }

  private refuse(node: Node): void {
    const { what, hint } = describeUnsupported(node);
    this.report("TSB1001", node, [what, hint]);
  }

  checkFile(sf: SourceFile): void {
    for (const st of sf.getStatements()) this.topLevel(st);
  }

  private topLevel(st: Node): void {
    if (Node.isImportDeclaration(st)) {
      // `import{` / `import xdp,`: no module string (TypeScript reports the syntax).
      const spec = st.compilerNode.moduleSpecifier;
      if (!ts.isStringLiteral(spec)) this.report("TSB1603", st);
      else if (spec.text !== "tsbpf") this.report("TSB1004", st);
      return;
    }
    if (Node.isInterfaceDeclaration(st) || Node.isTypeAliasDeclaration(st)) return this.types(st);
    if (Node.isFunctionDeclaration(st)) {
      if (st.isExported()) this.report("TSB1009", st.getNameNode() ?? st, [st.getName() ?? "prog"]);
      if (st.isAsync())
        this.report("TSB1001", st, [
          "async functions",
          "BPF programs run to completion; remove async",
        ]);
      if (st.isGenerator()) this.report("TSB1001", st, ["generators", "use a bounded for loop"]);
      for (const p of st.getParameters()) this.types(p);
      const ret = st.getReturnTypeNode();
      if (ret) this.types(ret);
      const body = st.getBody();
      if (body) this.walk(body);
      return;
    }
    if (Node.isVariableStatement(st)) {
      // Module-level `let` is global data (part 2: module-data.ts checks it).
      if (st.getDeclarationKind() === "var") {
        this.report("TSB1005", st, [`${st.getDeclarationKind()} declarations`]);
        return;
      }
      for (const d of st.getDeclarations()) {
        const init = d.getInitializer();
        const typeNode = d.getTypeNode();
        if (typeNode) this.types(typeNode);
        if (!Node.isIdentifier(d.getNameNode())) this.report("TSB1011", d.getNameNode());
        if (!init) continue;
        if (d.getName() === "license" && Node.isStringLiteral(init)) continue;
        // Map declarations: checked when module-data.ts reads them.
        if (Node.isNewExpression(init) && st.getDeclarationKind() === "const") continue;
        if (st.isExported() && Node.isCallExpression(init)) {
          this.program(init);
          continue;
        }
        this.walk(init);
      }
      return;
    }
    this.refuse(st);
  }

  /** `xdp(opts?, (ctx) => body)` */
  private program(call: import("ts-morph").CallExpression): void {
    const args = call.getArguments();
    args.forEach((a, i) => {
      if (i === args.length - 1 && (Node.isArrowFunction(a) || Node.isFunctionExpression(a))) {
        if (a.isAsync())
          this.report("TSB1001", a, [
            "async functions",
            "BPF programs run to completion; remove async",
          ]);
        for (const p of a.getParameters()) this.types(p);
        const body = a.getBody();
        if (body) this.walk(body);
      } else if (!Node.isObjectLiteralExpression(a)) this.walk(a);
    });
  }

  /** Type positions: anything but `any`. */
  private types(node: Node): void {
    if (node.getKind() === SyntaxKind.AnyKeyword) this.report("TSB1003", node);
    node.forEachDescendant((d) => {
      if (d.getKind() === SyntaxKind.AnyKeyword) this.report("TSB1003", d);
    });
  }

  private walk(node: Node): void {
    const k = node.getKind();
    // Operators and punctuation: their expressions decide.
    if (k >= SyntaxKind.FirstPunctuation && k <= SyntaxKind.LastPunctuation) return;
    // Type annotations inside bodies.
    if (Node.isTypeNode(node) && !Node.isExpressionWithTypeArguments(node)) return this.types(node);
    switch (k) {
      case SyntaxKind.VariableDeclarationList:
        if ((node as import("ts-morph").VariableDeclarationList).getDeclarationKind() === "var") {
          this.report("TSB1012", node, ["'var'", "declare locals with let or const"]);
          return;
        }
        break;
      case SyntaxKind.VariableDeclaration: {
        const d = node as import("ts-morph").VariableDeclaration;
        const name = d.getNameNode();
        if (!Node.isIdentifier(name)) return this.report("TSB1011", name);
        const t = d.getTypeNode();
        if (t) this.types(t);
        const init = d.getInitializer();
        if (init) this.walk(init);
        return;
      }
      case SyntaxKind.AsExpression: {
        const a = node as import("ts-morph").AsExpression;
        this.walk(a.getExpression());
        const t = a.getTypeNode();
        if (t) this.types(t);
        return;
      }
      case SyntaxKind.BinaryExpression: {
        const op = (node as import("ts-morph").BinaryExpression).getOperatorToken();
        const hint = BINARY_REFUSED[op.getKind()];
        if (hint) {
          this.report("TSB1007", op, [op.getText(), hint]);
          return;
        }
        break;
      }
      case SyntaxKind.NullKeyword: {
        if (allowedInBody(node)) return;
        const p = node.getParent();
        if (Node.isBinaryExpression(p) && /^[!=]==?$/.test(p.getOperatorToken().getText())) return;
        return this.refuse(node);
      }
      case SyntaxKind.StringLiteral: {
        const call = node.getParent();
        if (Node.isCallExpression(call) && call.getExpression().getText() === "bpf_printk") return;
        return this.report("TSB1006", node);
      }
      case SyntaxKind.ElementAccessExpression: {
        const e = node as import("ts-morph").ElementAccessExpression;
        if (!Node.isPropertyAccessExpression(e.getExpression())) return this.refuse(node);
        break;
      }
      case SyntaxKind.PropertyAccessExpression:
        if ((node as import("ts-morph").PropertyAccessExpression).hasQuestionDotToken())
          return this.report("TSB1001", node, [
            "optional chaining",
            "check for null first: `if (!hdr) return ...;`",
          ]);
        break;
      case SyntaxKind.CallExpression: {
        const c = node as import("ts-morph").CallExpression;
        if (c.hasQuestionDotToken())
          return this.report("TSB1001", node, ["optional chaining", "check for null first"]);
        for (const t of c.getTypeArguments()) this.types(t);
        this.walk(c.getExpression());
        for (const a of c.getArguments()) this.walk(a);
        return;
      }
      case SyntaxKind.Identifier:
        if (node.getText() === "undefined" || node.getText() === "arguments")
          return this.refuse(node);
        return;
      default:
        if (!ALLOWED.has(k) && !allowedInBody(node)) return this.refuse(node);
    }
    node.forEachChild((c) => this.walk(c));
  }
}
