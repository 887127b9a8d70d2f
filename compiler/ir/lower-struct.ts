// Structs and values in memory: stack structs from object literals (padding
// zeroed, so hashed keys are deterministic), values spilled to the stack to
// be passed by pointer (map keys and values "by value" in the source), and
// module-level `let` globals read and written through their `.bss`/`.data`
// address.

import { type Expression, Node, type ObjectLiteralExpression } from "../frontend/ts-morph.js";
import { interfaceOfNode, type StructLayout, structLayout } from "../types/annotations.js";
import { regWidth } from "../types/int-type.js";
import {
  paddingGaps,
  sizeOfValue,
  stableLayout,
  type ValueType,
  viewLayout,
  zeroPieces,
} from "../types/structs.js";
import type { VReg } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert } from "./lower-arith.js";
import type { Lowering, Value } from "./lower-context.js";
import { lowerExpr, lowerInt } from "./lower-expr.js";
import type { MemSlot } from "./lower-packet.js";

/** Stack objects' address vregs -> their frame offsets, per function. */
const frameOffsets = new WeakMap<object, Map<VReg, number>>();

/** A fresh stack object of `size` bytes; returns a pointer vreg to it. */
export function allocStack(L: Lowering, size: number): VReg {
  const off = L.b.allocStack(size, 8);
  const r = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: r, off, nonNull: true });
  let m = frameOffsets.get(L.b.fn);
  if (!m) frameOffsets.set(L.b.fn, (m = new Map()));
  m.set(r, off);
  return r;
}

/**
 * The address of a stack object recomputed where it is used (as clang does), so the
 * long-lived vreg only serves loads and stores (which become r10-relative) and no
 * callee-saved register is held for it across calls. Other pointers pass through.
 */
export function rematerialize(L: Lowering, r: VReg): VReg {
  const off = frameOffsets.get(L.b.fn)?.get(r);
  if (off === undefined) return r;
  const again = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: again, off, nonNull: true });
  return again;
}

/** The struct layout an object literal is typed as (its contextual interface). */
function literalLayout(node: ObjectLiteralExpression): StructLayout | string | undefined {
  const t = node.getContextualType();
  const decl = t
    ?.getSymbol()
    ?.getDeclarations()
    .find((d) => Node.isInterfaceDeclaration(d));
  if (!decl || !Node.isInterfaceDeclaration(decl)) return undefined;
  return structLayout(decl);
}

export function lowerObjectLiteral(
  L: Lowering,
  node: ObjectLiteralExpression,
  layout0?: StructLayout,
): Value {
  const layout = layout0 ?? literalLayout(node);
  if (!layout)
    return L.report("TSB1001", node, [
      "object literals without a struct type",
      "annotate the local with an interface: `const k: FlowKey = { ... }`",
    ]);
  if (typeof layout === "string")
    return L.report("TSB3007", node, [node.getContextualType()?.getText() ?? "?", layout]);
  const base = allocStack(L, layout.size);
  for (const [off, len] of paddingGaps(layout))
    for (const p of zeroPieces(off, len))
      L.b.emit({ op: "store", size: p.size, base, off: p.off, src: imm(0) });
  for (const p of node.getProperties()) {
    if (!Node.isPropertyAssignment(p) && !Node.isShorthandPropertyAssignment(p)) {
      L.report("TSB1001", p, ["object spread and methods", "write each field: `{ a: x, b: y }`"]);
      continue;
    }
    const f = layout.fields.get(p.getName());
    if (!f) {
      L.report("TSB3001", p, [p.getName(), layout.name]);
      continue;
    }
    L.setPos(p);
    if (Node.isShorthandPropertyAssignment(p)) {
      const decl = p.getValueSymbol()?.getValueDeclaration();
      const b = decl && L.env.get(decl);
      if (!b || b.kind !== "int" || f.shape.kind !== "int") {
        L.report("TSB5007", p, [p.getText()]);
        continue;
      }
      const v = convert(L, { kind: "int", op: reg(b.reg), type: b.type }, f.shape.type, p, false);
      L.b.emit({ op: "store", size: sizeOf(f.shape.type.bits), base, off: f.offset, src: v.op });
      continue;
    }
    const init = p.getInitializer()!;
    if (f.shape.kind === "int") {
      const v = lowerInt(L, init);
      if (!v) continue;
      const c = convert(L, v, f.shape.type, init, false);
      L.b.emit({ op: "store", size: sizeOf(f.shape.type.bits), base, off: f.offset, src: c.op });
      continue;
    }
    const shape = f.shape;
    if (!Node.isArrayLiteralExpression(init) || init.getElements().length !== shape.length) {
      L.report("TSB5007", init, [init.getText()]);
      continue;
    }
    init.getElements().forEach((e, k) => {
      const v = lowerInt(L, e as Expression);
      if (!v) return;
      const c = convert(L, v, shape.elem, e, false);
      const size = sizeOf(shape.elem.bits);
      L.b.emit({ op: "store", size, base, off: f.offset + k * size, src: c.op });
    });
  }
  return { kind: "header", reg: base, layout: stableLayout(layout), temp: true };
}

function sizeOf(bits: number): 1 | 2 | 4 | 8 {
  return (bits / 8) as 1 | 2 | 4 | 8;
}

/** `zeroed<T>()`: a zero-filled stack T (struct, or an opaque kernel object). */
export function zeroedStruct(L: Lowering, layout: StructLayout, zero = true): Value {
  const base = allocStack(L, layout.size);
  if (zero)
    for (const p of zeroPieces(0, layout.size))
      L.b.emit({ op: "store", size: p.size, base, off: p.off, src: imm(0) });
  return { kind: "header", reg: base, layout: stableLayout(layout), temp: true };
}

/**
 * A pointer to `e`'s value laid out as `vt`, for helpers that take keys and
 * values by pointer: integers go to a fresh stack slot; structs are already
 * in memory (a stack struct, a map value, a packet header).
 */
export function pointerTo(L: Lowering, e: Expression, vt: ValueType): VReg | undefined {
  if (vt.kind === "struct") {
    const v = Node.isObjectLiteralExpression(e)
      ? lowerObjectLiteral(L, e, vt.layout)
      : lowerExpr(L, e);
    if (v.kind === "header") return rematerialize(L, v.reg);
    if (v.kind !== "error") L.report("TSB5007", e, [e.getText()]);
    return undefined;
  }
  const v = lowerInt(L, e);
  if (!v) return undefined;
  const c = convert(L, v, vt.type, e, false);
  const frameOff = L.b.allocStack(sizeOfValue(vt), 8);
  const base = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: base, off: frameOff, nonNull: true });
  let src = c.op;
  if (
    src.kind === "imm" &&
    vt.type.bits === 64 &&
    BigInt.asIntN(64, src.value) !== BigInt.asIntN(32, src.value)
  ) {
    const t = L.b.vreg();
    L.b.emit({ op: "mov", w: 64, dst: t, src });
    src = reg(t);
  }
  L.b.emit({ op: "store", size: sizeOf(vt.type.bits), base, off: 0, src });
  // A second address right where it is passed: the first one then only serves the store,
  // which the frame peephole turns r10-relative, and argument registers need no shuffle.
  const again = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: again, off: frameOff, nonNull: true });
  return again;
}

/** The address of a global variable, in a fresh pointer vreg. */
export function globalAddress(L: Lowering, symbol: string): VReg {
  const r = L.b.vreg(true);
  L.b.emit({ op: "ldaddr", dst: r, reloc: "data", symbol });
  return r;
}

/** Reading a module-level `let`: its value (integers) or a view of it (structs). */
export function readGlobal(L: Lowering, decl: Node): Value | undefined {
  const g = L.module.data?.globals.get(decl);
  if (!g) return undefined;
  const base = globalAddress(L, g.name);
  if (g.type.kind === "struct") return { kind: "header", reg: base, layout: viewLayout(g.type) };
  const t = g.type.type;
  const dst = L.b.vreg();
  L.b.emit({ op: "load", size: sizeOf(t.bits), dst, base, off: 0 });
  if (t.signed && t.bits < 32) {
    const sx = L.b.vreg();
    L.b.emit({ op: "movsx", w: regWidth(t), dst: sx, src: dst, bits: t.bits as 8 | 16 });
    return { kind: "int", op: reg(sx), type: t, temp: true };
  }
  return { kind: "int", op: reg(dst), type: t, temp: true };
}

/** The memory slot of an integer global, as an assignment target. */
export function globalSlot(L: Lowering, decl: Node): MemSlot | undefined {
  const g = L.module.data?.globals.get(decl);
  if (!g || g.type.kind !== "int") return undefined;
  return { base: globalAddress(L, g.name), off: 0, type: g.type.type };
}

/** The layout an annotation names, for zeroed<T>() and friends. */
export function layoutOfTypeNode(node: import("ts-morph").TypeNode | undefined) {
  const iface = interfaceOfNode(node);
  return iface ? structLayout(iface) : undefined;
}
