// `for (const i of range(n))`: an open-coded bpf_iter_num loop (kfuncs
// bpf_iter_num_new / _next / _destroy on an 8-byte stack iterator), which the
// verifier accepts for any n without unrolling. `break` and the normal exit
// both go through the destroy call the verifier requires.

import { type ForOfStatement, Node, SyntaxKind } from "../frontend/ts-morph.js";
import { I32, U32 } from "../types/int-type.js";
import { imm, reg, type VReg } from "./ir.js";
import { convert } from "./lower-arith.js";
import type { Lowering } from "./lower-context.js";
import { lowerInt } from "./lower-expr.js";
import { lowerStatement } from "./lower-stmt.js";

export function lowerForOf(L: Lowering, s: ForOfStatement): void {
  const e = s.getExpression();
  const init = s.getInitializer();
  const decl = Node.isVariableDeclarationList(init) ? init.getDeclarations()[0] : undefined;
  if (
    !Node.isCallExpression(e) ||
    e.getExpression().getText() !== "range" ||
    !decl ||
    !Node.isIdentifier(decl.getNameNode())
  ) {
    L.report("TSB1001", s, [
      "for-of loops",
      "use `for (const i of range(n))` or a counted for loop",
    ]);
    return;
  }
  // The iterator must be destroyed on every path: a return inside would skip it.
  const ret = s
    .getStatement()
    .getDescendantsOfKind(SyntaxKind.ReturnStatement)
    .find((r) => r.getFirstAncestor((p) => p === s || Node.isFunctionLikeDeclaration(p)) === s);
  if (ret) {
    L.report("TSB5009", ret, [
      "return inside a range() loop",
      "set a result variable and `break`, then return after the loop",
    ]);
    return;
  }
  const nArg = e.getArguments()[0];
  const n0 = nArg && Node.isExpression(nArg) ? lowerInt(L, nArg) : undefined;
  if (!n0 || !nArg) return;
  const n = convert(L, n0, I32, nArg, true);
  const off = L.b.allocStack(8, 8);
  const iter = (): VReg => {
    const r = L.b.vreg(true);
    L.b.emit({ op: "frame", dst: r, off, nonNull: true });
    return r;
  };
  L.module.data?.kfuncs.add("bpf_iter_num_new");
  L.module.data?.kfuncs.add("bpf_iter_num_next");
  L.module.data?.kfuncs.add("bpf_iter_num_destroy");
  L.b.emit({ op: "callkfunc", fn: "bpf_iter_num_new", args: [reg(iter()), imm(0), n.op] });
  const head = L.b.newBlock();
  const body = L.b.newBlock();
  const exit = L.b.newBlock();
  L.b.jump(head, head);
  const p = L.b.vreg(true);
  L.b.emit({ op: "callkfunc", fn: "bpf_iter_num_next", args: [reg(iter())], dst: p });
  L.b.terminate({ op: "br", w: 64, cond: "eq", a: p, b: imm(0), then: exit, else: body }, body);
  const i = L.b.vreg();
  L.b.emit({ op: "load", size: 4, dst: i, base: p, off: 0 });
  L.env.set(decl, { kind: "int", reg: i, type: U32 });
  L.loops.push({ breakTo: exit, continueTo: head });
  lowerStatement(L, s.getStatement());
  L.loops.pop();
  L.b.jump(head, exit);
  L.setPos(s);
  L.b.emit({ op: "callkfunc", fn: "bpf_iter_num_destroy", args: [reg(iter())] });
}
