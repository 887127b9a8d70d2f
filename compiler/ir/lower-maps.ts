// Map methods to map helpers. The receiver is a module-level map (its
// address is a relocated `lddw`) or an inner map from a map-in-map lookup.
// Keys and values are written by value in the source and passed by pointer
// here (pointerTo spills them); lookups return a live view of the value (a
// struct view, or a Ref for integers) or null, tested by the user's `if`.

import { type CallExpression, type Expression, Node } from "../frontend/ts-morph.js";
import type { StructLayout } from "../types/annotations.js";
import { BOOL, I64, type IntType, U32, U64 } from "../types/int-type.js";
import { HELPERS } from "../types/kernel-facts.js";
import { refLayout, sizeOfValue, stableLayout, viewLayout } from "../types/structs.js";
import type { Operand, VReg } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert } from "./lower-arith.js";
import type { Lowering, Value } from "./lower-context.js";
import { lowerExpr, lowerInt } from "./lower-expr.js";
import { layoutOfTypeNode, pointerTo } from "./lower-struct.js";
import { type MapDecl, mapOfIdentifier } from "./module-data.js";

/** Views that are inner maps (from ArrayOfMaps/HashOfMaps lookups), by their marker layout. */
const innerMaps = new WeakMap<StructLayout, MapDecl>();

function mapMarker(m: MapDecl): StructLayout {
  const l = stableLayout({ name: m.className, size: 0, align: 1, fields: new Map() });
  innerMaps.set(l, m);
  return l;
}

/** The map a receiver expression denotes, with its address in a vreg. */
export function mapReceiver(L: Lowering, e: Expression): { map: MapDecl; reg: VReg } | undefined {
  const m = Node.isIdentifier(e) ? mapOfIdentifier(e, L.module.data) : undefined;
  if (m) {
    const r = L.b.vreg(true);
    L.b.emit({ op: "ldaddr", dst: r, reloc: "map", symbol: m.name });
    return { map: m, reg: r };
  }
  if (!Node.isIdentifier(e)) return undefined;
  const v = lowerExpr(L, e);
  if (v.kind !== "header") return undefined;
  const inner = innerMaps.get(v.layout);
  return inner ? { map: inner, reg: v.reg } : undefined;
}

function helperId(name: string): number {
  const h = HELPERS.get(name);
  if (!h) throw new Error(`helper ${name} missing from the tables`);
  return h.id;
}

function call(L: Lowering, name: string, args: Operand[], ptr = false): VReg {
  const dst = L.b.vreg(ptr);
  L.b.emit({ op: "call", helper: helperId(name), args, dst });
  return dst;
}

function intArg(
  L: Lowering,
  e: Expression | undefined,
  t: IntType,
  dflt: bigint,
): Operand | undefined {
  if (!e) return imm(dflt);
  const v = lowerInt(L, e);
  return v ? convert(L, v, t, e, false).op : undefined;
}

const result = (r: VReg, type: IntType = I64): Value => ({
  kind: "int",
  op: reg(r),
  type,
  temp: true,
});

/** `m.method(args)` on a map; undefined when the receiver is not a map. */
export function lowerMapMethod(L: Lowering, call0: CallExpression): Value | undefined {
  const callee = call0.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const recv = mapReceiver(L, callee.getExpression());
  if (!recv) return undefined;
  const { map: m, reg: mapReg } = recv;
  const method = callee.getName();
  const args = call0.getArguments() as Expression[];
  const map = reg(mapReg);
  const fail = (): Value => ({ kind: "error" });
  const ptr = (e: Expression | undefined, which: "key" | "value") => {
    const vt = which === "key" ? m.key : m.value;
    if (!e || !vt) return undefined;
    return pointerTo(L, e, vt);
  };
  L.setPos(call0);
  switch (`${kindOf(m)}.${method}`) {
    case "keyed.lookup":
    case "keyed.lookupOnCpu":
    case "inner.lookup":
    case "xsk.lookup": {
      const k = ptr(args[0], "key");
      if (k === undefined) return fail();
      const a: Operand[] = [map, reg(k)];
      if (method === "lookupOnCpu") {
        const cpu = intArg(L, args[1], U32, 0n);
        if (!cpu) return fail();
        a.push(cpu);
      }
      const name = method === "lookup" ? "bpf_map_lookup_elem" : "bpf_map_lookup_percpu_elem";
      const r = call(L, name, a, true);
      const layout =
        kindOf(m) === "inner"
          ? mapMarker(m.inner!)
          : m.value
            ? viewLayout(m.value)
            : refLayout(U32);
      return { kind: "header", reg: r, layout };
    }
    case "keyed.update": {
      const k = ptr(args[0], "key");
      const v = ptr(args[1], "value");
      const f = intArg(L, args[2], U64, 0n);
      if (k === undefined || v === undefined || !f) return fail();
      return result(call(L, "bpf_map_update_elem", [map, reg(k), reg(v), f]));
    }
    case "keyed.delete": {
      const k = ptr(args[0], "key");
      if (k === undefined) return fail();
      return result(call(L, "bpf_map_delete_elem", [map, reg(k)]));
    }
    case "store.push": {
      const v = ptr(args[0], "value");
      const f = intArg(L, args[1], U64, 0n);
      if (v === undefined || !f) return fail();
      return result(call(L, "bpf_map_push_elem", [map, reg(v), f]));
    }
    case "store.pop":
    case "store.peek":
      return popOrPeek(L, call0, m, map, method);
    case "store.has": {
      const v = ptr(args[0], "value");
      if (v === undefined) return fail();
      const r = call(L, "bpf_map_peek_elem", [map, reg(v)]);
      return isZero(L, r);
    }
    case "ringbuf.reserve": {
      const layout = layoutOfTypeNode(call0.getTypeArguments()[0]);
      if (!layout || typeof layout === "string")
        return L.report("TSB5002", call0, [call0.getTypeArguments()[0]?.getText() ?? "T"]);
      const r = call(L, "bpf_ringbuf_reserve", [map, imm(layout.size), imm(0)], true);
      return { kind: "header", reg: r, layout: stableLayout(layout) };
    }
    case "ringbuf.submit":
    case "ringbuf.discard": {
      const rec = args[0] ? lowerExpr(L, args[0]) : undefined;
      const f = intArg(L, args[1], U64, 0n);
      if (!rec || rec.kind !== "header" || !f) return rec?.kind === "error" ? rec : fail();
      const name = method === "submit" ? "bpf_ringbuf_submit" : "bpf_ringbuf_discard";
      L.b.emit({ op: "call", helper: helperId(name), args: [reg(rec.reg), f] });
      return { kind: "int", op: imm(0), type: U32 };
    }
    case "ringbuf.output":
    case "perf.output": {
      const data = method === "output" && kindOf(m) === "perf" ? args[1] : args[0];
      const flagArg = kindOf(m) === "perf" ? args[2] : args[1];
      const dataPtr = data ? dataPointer(L, data) : undefined;
      const f = intArg(L, flagArg, U64, kindOf(m) === "perf" ? 0xffffffffn : 0n);
      if (!dataPtr || !f) return fail();
      if (kindOf(m) === "ringbuf")
        return result(call(L, "bpf_ringbuf_output", [map, reg(dataPtr.reg), imm(dataPtr.size), f]));
      const ctx = args[0] ? lowerExpr(L, args[0]) : undefined;
      if (!ctx || ctx.kind !== "ctx") return L.report("TSB5007", args[0] ?? call0, ["ctx"]);
      return result(
        call(L, "bpf_perf_event_output", [
          reg(ctx.reg),
          map,
          f,
          reg(dataPtr.reg),
          imm(dataPtr.size),
        ]),
      );
    }
    case "ringbuf.query": {
      const f = intArg(L, args[0], U64, 0n);
      if (!f) return fail();
      return result(call(L, "bpf_ringbuf_query", [map, f]), U64);
    }
    case "prog.tailCall": {
      const ctx = args[0] ? lowerExpr(L, args[0]) : undefined;
      const idx = intArg(L, args[1], U32, 0n);
      if (!ctx || ctx.kind !== "ctx" || !idx) return fail();
      return result(call(L, "bpf_tail_call", [reg(ctx.reg), map, idx]));
    }
    case "redirect.redirect":
    case "xsk.redirect": {
      const key = intArg(L, args[0], U32, 0n);
      const f = intArg(L, args[1], U64, 0n);
      if (!key || !f) return fail();
      return result(call(L, "bpf_redirect_map", [map, key, f]));
    }
    default:
      return L.report("TSB5006", callee.getNameNode(), [method, m.className]);
  }
}

function kindOf(m: MapDecl): string {
  switch (m.className) {
    case "HashMap":
    case "ArrayMap":
    case "PerCpuHash":
    case "PerCpuArray":
    case "LruHash":
    case "LruPerCpuHash":
    case "LpmTrie":
      return "keyed";
    case "Queue":
    case "Stack":
    case "BloomFilter":
      return "store";
    case "RingBuf":
      return "ringbuf";
    case "PerfEventArray":
      return "perf";
    case "ProgArray":
      return "prog";
    case "XskMap":
      return "xsk";
    case "ArrayOfMaps":
    case "HashOfMaps":
      return "inner";
    default:
      return "redirect";
  }
}

/** A pointer and size for data copied out (ring buffer / perf output). */
function dataPointer(L: Lowering, e: Expression): { reg: VReg; size: number } | undefined {
  const v = Node.isObjectLiteralExpression(e) ? undefined : lowerExpr(L, e);
  if (v?.kind === "header") return { reg: v.reg, size: v.layout.size };
  if (v?.kind === "int") {
    const t = v.type;
    const r = pointerTo(L, e, { kind: "int", type: t });
    return r === undefined ? undefined : { reg: r, size: sizeOfValue({ kind: "int", type: t }) };
  }
  if (v?.kind !== "error") L.report("TSB5007", e, [e.getText()]);
  return undefined;
}

/** pop/peek into a stack slot: a view of the slot, or null when the helper failed. */
function popOrPeek(
  L: Lowering,
  call0: CallExpression,
  m: MapDecl,
  map: Operand,
  method: string,
): Value {
  if (!m.value || m.value.kind !== "struct")
    return L.report("TSB5009", call0, [
      `${method}() of a queue or stack of integers`,
      "declare the values as a struct (`interface Item { v: u32 }`) and read `item.v`",
    ]);
  const layout = m.value.layout;
  const off = L.b.allocStack(layout.size, 8);
  const slot = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: slot, off });
  const name = method === "pop" ? "bpf_map_pop_elem" : "bpf_map_peek_elem";
  const r = call(L, name, [map, reg(slot)]);
  const view = L.b.vreg(true);
  const bad = L.b.newBlock();
  const ok = L.b.newBlock();
  const join = L.b.newBlock();
  L.b.terminate({ op: "br", w: 64, cond: "ne", a: r, b: imm(0), then: bad, else: ok }, ok);
  L.b.emit({ op: "frame", dst: view, off, nonNull: true });
  L.b.jump(join, bad);
  L.b.emit({ op: "mov", w: 64, dst: view, src: imm(0) });
  L.b.jump(join, join);
  return { kind: "header", reg: view, layout: stableLayout(layout), temp: true };
}

/** 1 when r == 0, else 0 (a bool). */
export function isZero(L: Lowering, r: VReg): Value {
  const dst = L.b.vreg();
  const t = L.b.newBlock();
  const join = L.b.newBlock();
  L.b.emit({ op: "mov", w: 32, dst, src: imm(1) });
  L.b.terminate({ op: "br", w: 64, cond: "eq", a: r, b: imm(0), then: join, else: t }, t);
  L.b.emit({ op: "mov", w: 32, dst, src: imm(0) });
  L.b.jump(join, join);
  return { kind: "int", op: reg(dst), type: BOOL, temp: true };
}
