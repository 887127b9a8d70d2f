// Part 2's additions to the subset whitelist (subset.ts asks here before
// refusing): struct object literals and their fields, fixed-array literals
// as field values, `for (const i of range(n))`, and `null` passed to a raw
// helper or kfunc pointer parameter. Lowering checks the details (a literal
// needs a struct type, a field must exist).

import { Node, SyntaxKind } from "./ts-morph.js";

export function allowedInBody(node: Node): boolean {
  const parent = node.getParent();
  switch (node.getKind()) {
    case SyntaxKind.ObjectLiteralExpression:
      return true;
    case SyntaxKind.PropertyAssignment:
    case SyntaxKind.ShorthandPropertyAssignment:
      return Node.isObjectLiteralExpression(parent);
    case SyntaxKind.ArrayLiteralExpression:
      return Node.isPropertyAssignment(parent);
    case SyntaxKind.ForOfStatement: {
      const e = (node as import("ts-morph").ForOfStatement).getExpression();
      return Node.isCallExpression(e) && e.getExpression().getText() === "range";
    }
    case SyntaxKind.NullKeyword:
      return Node.isCallExpression(parent) && parent.getArguments().includes(node);
    default:
      return false;
  }
}
