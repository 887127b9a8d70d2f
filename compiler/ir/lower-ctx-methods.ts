// The friendly methods on a program's context (stdlib/packet.d.ts):
// `ctx.adjustHead(d)` is `bpf_xdp_adjust_head(ctx, d)`, and so on: the same
// helper call, with the same program-type check, argument conversions and
// invalidation of header views as the raw form in lower-call.ts.

import type { CallExpression, Expression } from "ts-morph";
import { Node } from "../frontend/ts-morph.js";
import { intTypeOfNode } from "../types/annotations.js";
import { I64 } from "../types/int-type.js";
import { CHANGES_PACKET, HELPERS, helperAllowed } from "../types/kernel-facts.js";
import type { Operand, VReg } from "./ir.js";
import { reg } from "./ir.js";
import { convert } from "./lower-arith.js";
import { type Lowering, type Value, declarationOf } from "./lower-context.js";
import { lowerInt } from "./lower-expr.js";
import { metaView } from "./lower-packet.js";

export const METHODS: Record<string, string> = {
  adjustHead: "bpf_xdp_adjust_head",
  adjustTail: "bpf_xdp_adjust_tail",
  adjustMeta: "bpf_xdp_adjust_meta",
  changeHead: "bpf_skb_change_head",
  pullData: "bpf_skb_pull_data",
};

/** `ctx.method(...)` for the friendly forms, or undefined when `method` is not one. */
export function lowerCtxMethod(
  L: Lowering,
  call: CallExpression,
  ctxReg: VReg,
  method: string,
): Value | undefined {
  if (method === "meta") {
    // data_meta is typed on every skb context's methods (like changeHead), but
    // only XDP and tc may read it (lwt_is_valid_access, cg_skb_is_valid_access refuse it).
    if (L.ctx && L.ctx.dataMeta === undefined) {
      const callee = call.getExpression();
      const at = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : call;
      return L.report("TSB3014", at, [L.kind ?? L.ctx.name]);
    }
    return metaView(L, call, ctxReg);
  }
  const name = METHODS[method];
  const helper = name ? HELPERS.get(name) : undefined;
  if (!name || !helper) return undefined;
  const callee = call.getExpression();
  if (L.kind && !helperAllowed(helper, L.kind)) return L.report("TSB3004", callee, [name, L.kind]);
  const decl = Node.isPropertyAccessExpression(callee)
    ? declarationOf(callee.getNameNode())
    : undefined;
  const params = decl && Node.isMethodSignature(decl) ? decl.getParameters() : [];
  const ops: Operand[] = [reg(ctxReg)];
  const args = call.getArguments() as Expression[];
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const want = intTypeOfNode(params[k]?.getTypeNode());
    const v = lowerInt(L, a);
    if (!v || !want) return { kind: "error" };
    ops.push(convert(L, v, want, a, false).op);
  }
  const dst = L.b.vreg();
  L.b.emit({ op: "call", helper: helper.id, args: ops, dst });
  if (CHANGES_PACKET.has(name)) {
    L.packetGeneration++;
    L.lastPacketChange = `ctx.${method}`;
  }
  return { kind: "int", op: reg(dst), type: I64, temp: true };
}
