// Calls: stdlib helpers by kernel name (id and program-type permission from
// the kernel facts, arguments converted to the declared parameter types),
// the byte-order intrinsics (one BPF byte-swap instruction, or folded), the
// packet view `ctx.header<T>()`, and the module's own functions as
// BPF-to-BPF calls. At most five arguments, as the calling convention allows.

import {
  type CallExpression,
  type FunctionDeclaration,
  Node,
  type ParameterDeclaration,
  type Expression,
} from "../frontend/ts-morph.js";
import { interfaceOfNode, intTypeOfNode } from "../types/annotations.js";
import { BE16, BE32, type IntType, U16, U32, wrap } from "../types/int-type.js";
import { CHANGES_PACKET, HELPERS, helperAllowed } from "../types/kernel-facts.js";
import type { Operand } from "./ir.js";
import { reg } from "./ir.js";
import { convert, intConst, type IntValue } from "./lower-arith.js";
import { type Lowering, type Value, declarationOf } from "./lower-context.js";
import { lowerExpr, lowerInt } from "./lower-expr.js";
import { headerView } from "./lower-packet.js";
import { lowerCallExt } from "./lower-ext.js";
import { lowerPrintk } from "./lower-printk.js";
import { lowerCtxMethod } from "./lower-ctx-methods.js";
import { packetMoverIn } from "./packet-movers.js";

const SWAPS: Record<string, { from: IntType; to: IntType }> = {
  htons: { from: U16, to: BE16 },
  ntohs: { from: BE16, to: U16 },
  htonl: { from: U32, to: BE32 },
  ntohl: { from: BE32, to: U32 },
};

export function lowerCall(L: Lowering, call: CallExpression): Value {
  const ext = lowerCallExt(L, call);
  if (ext) return ext;
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee)) {
    const obj = lowerExpr(L, callee.getExpression());
    if (obj.kind === "error") return obj;
    if (obj.kind === "ctx" && callee.getName() === "header") return headerView(L, call, obj.reg);
    const method =
      obj.kind === "ctx" ? lowerCtxMethod(L, call, obj.reg, callee.getName()) : undefined;
    if (method) return method;
    return L.report("TSB1002", callee, [callee.getText()]);
  }
  if (!Node.isIdentifier(callee)) return L.report("TSB1002", callee, [callee.getText()]);
  const decl = declarationOf(callee);
  if (!decl || !Node.isFunctionDeclaration(decl))
    return L.report("TSB1002", callee, [callee.getText()]);
  const name = callee.getText();
  const args = call.getArguments() as Expression[];
  const local = L.module.localFunctions.get(decl);
  if (local !== undefined) return callLocal(L, call, local, decl, args);
  if (!L.module.isStdlib(decl)) return L.report("TSB1002", callee, [name]);
  const swap = SWAPS[decl.getName() ?? ""];
  if (swap) return byteSwap(L, args[0], swap, call);
  if (decl.getName() === "bpf_printk") return lowerPrintk(L, call);
  const helper = HELPERS.get(decl.getName() ?? "");
  if (!helper) return L.report("TSB3005", callee, [name]);
  if (L.kind && !helperAllowed(helper, L.kind)) L.report("TSB3004", callee, [name, L.kind]);
  const ops = lowerArgs(L, decl.getParameters(), args);
  if (!ops) return { kind: "error" };
  const ret = intTypeOfNode(decl.getReturnTypeNode());
  const dst = ret ? L.b.vreg() : undefined;
  L.b.emit({ op: "call", helper: helper.id, args: ops, ...(dst !== undefined ? { dst } : {}) });
  if (CHANGES_PACKET.has(name)) {
    L.packetGeneration++;
    L.lastPacketChange = name;
  }
  return ret && dst !== undefined
    ? { kind: "int", op: reg(dst), type: ret, temp: true }
    : { kind: "int", op: { kind: "imm", value: 0n }, type: U32 };
}

function lowerArgs(
  L: Lowering,
  params: ParameterDeclaration[],
  args: Expression[],
): Operand[] | undefined {
  const ops: Operand[] = [];
  let ok = true;
  params.forEach((p, i) => {
    const a = args[i];
    if (!a) return;
    const want = intTypeOfNode(p.getTypeNode());
    const v = lowerExpr(L, a);
    if (v.kind === "error") {
      ok = false;
      return;
    }
    if (want) {
      if (v.kind !== "int") {
        L.report("TSB2008", a, [a.getText(), "an integer is expected here"]);
        ok = false;
        return;
      }
      ops.push(convert(L, v, want, a, false).op);
    } else if (v.kind === "ctx" || v.kind === "header") {
      ops.push(reg(v.reg));
    } else {
      L.report("TSB2008", a, [a.getText(), "pass the context or a header view"]);
      ok = false;
    }
  });
  return ok ? ops : undefined;
}

function byteSwap(
  L: Lowering,
  arg: Expression | undefined,
  s: { from: IntType; to: IntType },
  call: CallExpression,
): Value {
  if (!arg) return { kind: "error" };
  const v0 = lowerInt(L, arg);
  if (!v0) return { kind: "error" };
  const v = convert(L, v0, s.from, arg, false);
  const bits = s.from.bits as 16 | 32;
  if (v.op.kind === "imm") {
    const x = wrap(v.op.value, s.from);
    let out = 0n;
    for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((x >> BigInt(8 * i)) & 0xffn);
    return intConst(out, s.to);
  }
  const dst = L.b.vreg();
  L.b.emit({ op: "swap", dst, src: v.op.reg, bits });
  void call;
  return { kind: "int", op: reg(dst), type: s.to, temp: true };
}

function callLocal(
  L: Lowering,
  call: CallExpression,
  fn: string,
  decl: FunctionDeclaration,
  args: Expression[],
): Value {
  L.calls.push({ callee: fn, node: call });
  const retNode = decl.getReturnTypeNode();
  const ops = lowerArgs(L, decl.getParameters(), args);
  if (!ops) return { kind: "error" };
  const ret = intTypeOfNode(retNode as import("ts-morph").TypeNode | undefined);
  if (!ret && retNode && interfaceOfNode(retNode as import("ts-morph").TypeNode))
    return L.report("TSB1012", call, [
      "returning a header view",
      "return an integer, or read the header in the caller",
    ]);
  const dst = ret ? L.b.vreg() : undefined;
  L.b.emit({ op: "calllocal", fn, args: ops, ...(dst !== undefined ? { dst } : {}) });
  // Views taken before the call are stale if the callee moves packet data.
  const mover = packetMoverIn(decl, L.module);
  if (mover) {
    L.packetGeneration++;
    L.lastPacketChange = `${fn}() (it calls ${mover})`;
  }
  const result: IntValue | undefined =
    ret && dst !== undefined ? { kind: "int", op: reg(dst), type: ret, temp: true } : undefined;
  return result ?? { kind: "int", op: { kind: "imm", value: 0n }, type: U32 };
}
