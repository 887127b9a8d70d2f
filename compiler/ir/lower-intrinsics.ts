// Intrinsics of part 2 that compile to instructions rather than calls:
// atomics (BPF_ATOMIC add/or/and/xor with and without fetch, xchg,
// cmpxchg), zeroed<T>() stack objects, sizeOf<T>(), addressOf(x). An atomic
// whose result is unused takes the non-fetch form, as clang does.

import { type CallExpression, type Expression, Node, type TypeNode } from "../frontend/ts-morph.js";
import { AtomicOp } from "../../bpf/isa/index.js";
import type { StructLayout } from "../types/annotations.js";
import { U32 } from "../types/int-type.js";
import { stableLayout } from "../types/structs.js";
import { imm, reg } from "./ir.js";
import { convert, intConst, toReg } from "./lower-arith.js";
import { type Lowering, type Value, declarationOf, typeIsNullable } from "./lower-context.js";
import { lowerExpr, lowerInt } from "./lower-expr.js";
import { type MemSlot, memberSlot } from "./lower-packet.js";
import { globalSlot, layoutOfTypeNode, rematerialize, zeroedStruct } from "./lower-struct.js";

/** Kernel objects users get storage for with zeroed<...>(): BTF name and size. */
const OPAQUE: Record<string, number> = {
  bpf_dynptr: 16,
  bpf_iter_num: 8,
  bpf_timer: 16,
  bpf_spin_lock: 4,
};
const OPAQUE_ALIASES: Record<string, string> = {
  BpfDynptr: "bpf_dynptr",
  BpfIterNum: "bpf_iter_num",
  BpfTimer: "bpf_timer",
  BpfSpinLock: "bpf_spin_lock",
};

export function opaqueLayout(node: TypeNode | undefined): StructLayout | undefined {
  const text = node?.getText() ?? "";
  const m = /^Struct<"(\w+)">$/.exec(text);
  const name = m ? m[1]! : OPAQUE_ALIASES[text];
  const size = name ? OPAQUE[name] : undefined;
  if (!name || size === undefined) return undefined;
  return stableLayout({ name, size, align: 8, fields: new Map() });
}

const ATOMICS: Record<string, [number, number]> = {
  atomicAdd: [AtomicOp.ADD, AtomicOp.FETCH_ADD],
  atomicSub: [AtomicOp.ADD, AtomicOp.FETCH_ADD],
  atomicOr: [AtomicOp.OR, AtomicOp.FETCH_OR],
  atomicAnd: [AtomicOp.AND, AtomicOp.FETCH_AND],
  atomicXor: [AtomicOp.XOR, AtomicOp.FETCH_XOR],
  atomicXchg: [AtomicOp.XCHG, AtomicOp.XCHG],
  atomicCmpXchg: [AtomicOp.CMPXCHG, AtomicOp.CMPXCHG],
};

/** The memory an atomic or addressOf points at. */
export function pointeeSlot(L: Lowering, e: Expression): MemSlot | undefined {
  if (Node.isCallExpression(e) && e.getExpression().getText() === "addressOf") {
    const x = e.getArguments()[0] as Expression | undefined;
    if (x && Node.isPropertyAccessExpression(x)) {
      const s = memberSlot(L, x, true);
      return s && s !== "array" && !s.ctx ? s : undefined;
    }
    if (x && Node.isIdentifier(x)) {
      const d = declarationOf(x);
      return d ? globalSlot(L, d) : undefined;
    }
    return undefined;
  }
  const v = lowerExpr(L, e);
  if (v.kind !== "header") return undefined;
  const f = v.layout.fields.get("value");
  if (v.layout.name !== "Ref" || !f || f.shape.kind !== "int") return undefined;
  return { base: v.reg, off: 0, type: f.shape.type };
}

export function lowerIntrinsic(L: Lowering, call: CallExpression, name: string): Value | undefined {
  const args = call.getArguments() as Expression[];
  const atomic = ATOMICS[name];
  if (atomic) return lowerAtomic(L, call, name, atomic, args);
  switch (name) {
    case "config":
      return L.report("TSB5009", call, [
        "config() inside a function",
        "declare it at module level: `const limit: u32 = config(100);` and use the name",
      ]);
    case "zeroed": {
      const t = call.getTypeArguments()[0];
      const opaque = opaqueLayout(t);
      if (opaque) return zeroedStruct(L, opaque, false);
      const layout = layoutOfTypeNode(t);
      if (!layout || typeof layout === "string")
        return L.report("TSB5002", t ?? call, [t?.getText() ?? "T"]);
      return zeroedStruct(L, layout);
    }
    case "sizeOf": {
      const t = call.getTypeArguments()[0];
      const layout = opaqueLayout(t) ?? layoutOfTypeNode(t);
      if (layout && typeof layout !== "string") return intConst(BigInt(layout.size), U32, true);
      return L.report("TSB5002", t ?? call, [t?.getText() ?? "T"]);
    }
    case "addressOf": {
      const x = args[0];
      if (!x) return { kind: "error" };
      if (Node.isIdentifier(x)) {
        const v = lowerExpr(L, x);
        if (v.kind === "header") return { ...v, reg: rematerialize(L, v.reg) };
        const d = declarationOf(x);
        const g = d ? globalSlot(L, d) : undefined;
        if (g) return { kind: "header", reg: g.base, layout: stableLayout(refOf(g)) };
        if (v.kind === "error") return v;
      }
      if (Node.isPropertyAccessExpression(x) && !typeIsNullable(x.getExpression())) {
        // Array fields (and kernel objects such as a spin lock): the field's address.
        const obj = lowerExpr(L, x.getExpression());
        const f = obj.kind === "header" ? obj.layout.fields.get(x.getName()) : undefined;
        if (obj.kind === "header" && f?.shape.kind === "array") {
          const p = L.b.vreg(true);
          L.b.emit({
            op: "alu",
            w: 64,
            alu: "add",
            dst: p,
            a: obj.reg,
            b: imm(f.offset),
            nonNull: true,
          });
          const elem = f.shape.elem;
          return {
            kind: "header",
            reg: p,
            layout: stableLayout(refOf({ base: p, off: 0, type: elem })),
          };
        }
      }
      const s = Node.isPropertyAccessExpression(x) ? pointeeSlot(L, call) : undefined;
      if (s) {
        const p = L.b.vreg(true);
        L.b.emit({ op: "alu", w: 64, alu: "add", dst: p, a: s.base, b: imm(s.off), nonNull: true });
        return { kind: "header", reg: p, layout: stableLayout(refOf(s)) };
      }
      return L.report("TSB5009", x, [
        `the address of '${x.getText()}' cannot be taken`,
        "take the address of a struct local, a struct field, a global, or a map value",
      ]);
    }
  }
  return undefined;
}

function refOf(s: MemSlot): StructLayout {
  const size = s.type.bits / 8;
  return {
    name: "Ref",
    size,
    align: size,
    fields: new Map([
      [
        "value",
        { name: "value", offset: 0, shape: { kind: "int", type: s.type }, readonly: false },
      ],
    ]),
  };
}

function lowerAtomic(
  L: Lowering,
  call: CallExpression,
  name: string,
  [plain, fetch]: [number, number],
  args: Expression[],
): Value {
  const target = args[0];
  const slot = target ? pointeeSlot(L, target) : undefined;
  if (!target || !slot || (slot.type.bits !== 32 && slot.type.bits !== 64))
    return L.report("TSB5008", target ?? call, [target?.getText() ?? name]);
  const size = (slot.type.bits / 8) as 4 | 8;
  const w = slot.type.bits === 64 ? 64 : 32;
  const valueArg = name === "atomicCmpXchg" ? args[2] : args[1];
  const v0 = valueArg ? lowerInt(L, valueArg) : undefined;
  if (!v0 || !valueArg) return { kind: "error" };
  let v = convert(L, v0, slot.type, valueArg, false);
  if (name === "atomicSub") {
    const n = L.b.vreg();
    L.b.emit({ op: "neg", w, dst: n, a: toReg(L, v) });
    v = { ...v, op: reg(n) };
  }
  const used = !Node.isExpressionStatement(call.getParent());
  const base = slot.base;
  if (name === "atomicCmpXchg") {
    const e0 = args[1] ? lowerInt(L, args[1]) : undefined;
    if (!e0 || !args[1]) return { kind: "error" };
    const expected = toReg(L, convert(L, e0, slot.type, args[1], false));
    const src = toReg(L, v);
    const dst = L.b.vreg();
    L.b.emit({ op: "atomic", size, aop: plain, base, off: slot.off, src, a: expected, dst });
    return { kind: "int", op: reg(dst), type: slot.type, temp: true };
  }
  if (!used && plain !== AtomicOp.XCHG) {
    L.b.emit({ op: "atomic", size, aop: plain, base, off: slot.off, src: toReg(L, v) });
    return { kind: "int", op: imm(0), type: slot.type };
  }
  const t = L.b.vreg();
  L.b.emit({ op: "mov", w: 64, dst: t, src: v.op });
  L.b.emit({ op: "atomic", size, aop: fetch, base, off: slot.off, src: t, dst: t });
  return { kind: "int", op: reg(t), type: slot.type, temp: true };
}
