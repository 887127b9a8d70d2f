// The entry points through which part 2 (maps, structs, atomics, kfuncs,
// global data) plugs into the core lowering: each hook in lower-call,
// lower-expr, lower-assign and lower-module asks here first and falls back to
// its own handling when the answer is undefined.

import { type CallExpression, Node, type ParameterDeclaration } from "../frontend/ts-morph.js";
import { interfaceOfNode, structLayout } from "../types/annotations.js";
import { U64 } from "../types/int-type.js";
import {
  isStableLayout,
  layoutWithKernelObjects,
  refLayout,
  stableLayout,
} from "../types/structs.js";
import type { StructLayout } from "../types/annotations.js";
import { type Lowering, type Value, declarationOf } from "./lower-context.js";
import { isCallbackHelper, isKfunc, lowerCallbackHelper, lowerKfuncCall } from "./lower-kfunc.js";
import { lowerIntrinsic } from "./lower-intrinsics.js";
import { lowerMapMethod, mapReceiver } from "./lower-maps.js";
import { globalSlot, readGlobal } from "./lower-struct.js";
import type { MemSlot } from "./lower-packet.js";
import { intTypeOfNode } from "../types/annotations.js";

/** Calls handled by part 2, or undefined to let lower-call.ts handle them. */
export function lowerCallExt(L: Lowering, call: CallExpression): Value | undefined {
  const callee = call.getExpression();
  if (Node.isPropertyAccessExpression(callee)) return lowerMapMethod(L, call);
  if (!Node.isIdentifier(callee)) return undefined;
  const decl = declarationOf(callee);
  if (!decl || !Node.isFunctionDeclaration(decl) || !L.module.isStdlib(decl)) return undefined;
  const name = decl.getName() ?? "";
  const intrinsic = lowerIntrinsic(L, call, name);
  if (intrinsic) return intrinsic;
  if (isKfunc(name)) return lowerKfuncCall(L, call, name);
  if (isCallbackHelper(name)) return lowerCallbackHelper(L, call, name);
  return undefined;
}

/** An identifier that names a global variable or a map (as a pointer for raw helpers). */
export function lowerIdentifierExt(L: Lowering, decl: Node, node: Node): Value | undefined {
  const g = readGlobal(L, decl);
  if (g) return g;
  if (L.module.data?.maps.has(decl) && Node.isIdentifier(node)) {
    const m = mapReceiver(L, node);
    if (m) return { kind: "header", reg: m.reg, layout: stableLayout(MAP_VIEW) };
  }
  return undefined;
}

const MAP_VIEW: StructLayout = { name: "map", size: 0, align: 1, fields: new Map() };

/** Assignment to a module-level `let`. */
export function assignTargetExt(L: Lowering, decl: Node | undefined): MemSlot | undefined {
  return decl ? globalSlot(L, decl) : undefined;
}

/** Whether a header binding survives helpers that move packet data (map, stack, global views). */
export function isStableView(layout: StructLayout): boolean {
  return isStableLayout(layout);
}

/**
 * Parameters of subprograms and callbacks beyond integers and contexts: a
 * struct interface or Ref<T> is a pointer to it (bpf_loop's ctx), a map or
 * Ptr is an opaque 64-bit value. Returns false when not handled.
 */
export function bindParamExt(L: Lowering, p: ParameterDeclaration): boolean {
  const typeNode = p.getTypeNode();
  const iface = interfaceOfNode(typeNode);
  const text = typeNode?.getText() ?? "";
  if (iface && !iface.getSourceFile().isDeclarationFile()) {
    const plain = structLayout(iface);
    const layout = typeof plain === "string" ? layoutWithKernelObjects(iface) : plain;
    if (!layout) return false;
    const r = L.b.vreg(true);
    L.b.fn.params.push(r);
    L.env.set(p, { kind: "header", reg: r, layout: stableLayout(layout), generation: 0 });
    return true;
  }
  const ref = /^Ref<(.+)>$/.exec(text);
  if (ref && Node.isTypeReference(typeNode)) {
    const t = intTypeOfNode(typeNode.getTypeArguments()[0]);
    if (!t) return false;
    const r = L.b.vreg(true);
    L.b.fn.params.push(r);
    L.env.set(p, { kind: "header", reg: r, layout: refLayout(t), generation: 0 });
    return true;
  }
  if (/^(Ptr(<.*>)?|BpfMap)$/.test(text)) {
    const r = L.b.vreg();
    L.b.fn.params.push(r);
    L.env.set(p, { kind: "int", reg: r, type: U64 });
    return true;
  }
  return false;
}
