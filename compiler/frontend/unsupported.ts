// Words for constructs outside the subset: what the construct is called, in
// terms a person understands, and what to write instead. Both the subset
// walk and the lowering use it, so a refused construct reads the same
// wherever it is caught.

import { type Node, SyntaxKind } from "./ts-morph.js";

const REFUSED: Partial<Record<SyntaxKind, [string, string]>> = {
  [SyntaxKind.ClassDeclaration]: [
    "classes",
    "use interfaces for data and plain functions for behaviour",
  ],
  [SyntaxKind.ClassExpression]: [
    "classes",
    "use interfaces for data and plain functions for behaviour",
  ],
  [SyntaxKind.ThisKeyword]: ["'this'", "pass the value as a parameter"],
  [SyntaxKind.ArrowFunction]: ["closures", "declare a top-level function and call it"],
  [SyntaxKind.FunctionExpression]: ["closures", "declare a top-level function and call it"],
  [SyntaxKind.TryStatement]: ["exceptions", "return an error code instead"],
  [SyntaxKind.ThrowStatement]: ["exceptions", "return an error code instead"],
  [SyntaxKind.AwaitExpression]: [
    "async functions",
    "BPF programs run to completion; remove async/await",
  ],
  [SyntaxKind.YieldExpression]: ["generators", "use a bounded for loop"],
  [SyntaxKind.ForInStatement]: ["for-in loops", "use `for (let i = 0; i < N; i++)`"],
  [SyntaxKind.ForOfStatement]: ["for-of loops", "use `for (let i = 0; i < N; i++)`"],
  [SyntaxKind.TemplateExpression]: [
    "template strings",
    "strings are only allowed as literal formats of bpf_printk",
  ],
  [SyntaxKind.NoSubstitutionTemplateLiteral]: [
    "template strings",
    "strings are only allowed as literal formats of bpf_printk",
  ],
  [SyntaxKind.TaggedTemplateExpression]: ["tagged templates", "remove the template"],
  [SyntaxKind.ObjectLiteralExpression]: ["object literals", "assign struct fields one by one"],
  [SyntaxKind.ArrayLiteralExpression]: [
    "array literals",
    "use fixed-size header arrays or separate locals",
  ],
  [SyntaxKind.SpreadElement]: ["spread", "copy fields one by one"],
  [SyntaxKind.SpreadAssignment]: ["object spread", "copy fields one by one"],
  [SyntaxKind.DeleteExpression]: [
    "'delete'",
    "objects have a fixed layout; set the field to 0 instead",
  ],
  [SyntaxKind.TypeOfExpression]: ["'typeof' at run time", "types are known at compile time"],
  [SyntaxKind.VoidExpression]: ["'void' expressions", "call the function as a statement"],
  [SyntaxKind.NewExpression]: ["'new' in functions", "declare maps at module level"],
  [SyntaxKind.RegularExpressionLiteral]: ["regular expressions", "compare bytes explicitly"],
  [SyntaxKind.BigIntLiteral]: [
    "bigint literals",
    "write the number without `n`; u64/i64 literals are exact",
  ],
  [SyntaxKind.LabeledStatement]: [
    "labeled statements",
    "restructure the loop or use a flag variable",
  ],
  [SyntaxKind.WithStatement]: ["'with'", "name the object explicitly"],
  [SyntaxKind.DebuggerStatement]: ["'debugger'", "use bpf_printk for tracing"],
  [SyntaxKind.TypeAssertionExpression]: ["angle-bracket casts", "write `x as u8`"],
  [SyntaxKind.NonNullExpression]: [
    "non-null assertions ('!')",
    "check for null instead: `if (!hdr) return ...;` so the bounds check is real",
  ],
  [SyntaxKind.StringLiteral]: [
    "strings",
    "strings are only allowed as literal formats of bpf_printk",
  ],
  [SyntaxKind.NullKeyword]: ["'null' values", "null may only be compared against (`if (!hdr)`)"],
  [SyntaxKind.ElementAccessExpression]: [
    "dynamic property access",
    "access fields by name; index arrays with a constant",
  ],
  [SyntaxKind.CommaToken]: ["the comma operator", "write separate statements"],
  [SyntaxKind.EnumDeclaration]: ["enum declarations", "declare `const NAME = value;` constants"],
  [SyntaxKind.ModuleDeclaration]: ["namespaces", "use top-level declarations"],
  [SyntaxKind.ImportEqualsDeclaration]: ["import = require", 'import { ... } from "tsbpf"'],
  [SyntaxKind.ExportAssignment]: [
    "default exports",
    "export programs as `export const name = xdp(...)`",
  ],
  [SyntaxKind.ExportDeclaration]: ["re-exports", "export programs where they are declared"],
  [SyntaxKind.CallExpression]: [
    "this call",
    "only stdlib helpers and your own top-level functions can be called",
  ],
  [SyntaxKind.ObjectBindingPattern]: ["destructuring", "read fields one by one"],
  [SyntaxKind.ArrayBindingPattern]: ["destructuring", "read elements one by one"],
  [SyntaxKind.SwitchStatement]: ["this switch", "switch over integers with constant cases"],
  [SyntaxKind.GetAccessor]: ["accessors", "use plain functions"],
  [SyntaxKind.SetAccessor]: ["accessors", "use plain functions"],
  [SyntaxKind.VariableStatement]: [
    "this declaration",
    "declare `const` scalars or export programs",
  ],
};

/** How to name a construct that is not supported, and what to write instead. */
export function describeUnsupported(node: Node): { what: string; hint: string } {
  const known = REFUSED[node.getKind()];
  if (known) return { what: known[0], hint: known[1] };
  const kind = node
    .getKindName()
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
  return {
    what: `${kind}s`,
    hint: "rewrite it with integers, headers, if/else, loops and function calls",
  };
}
