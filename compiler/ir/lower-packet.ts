// Packet and context access. `ctx.header<T>(off)` becomes the bounds check
// the verifier wants (data + off + sizeof(T) > data_end -> null), computed on
// the very register later used for the accesses so the verifier's range
// marking applies. Header fields load and store at their C offsets with
// their own width (be16/be32 raw, so byte order stays visible); context
// fields use the program type's table, and writes are checked against it.

import type { CallExpression, ElementAccessExpression, PropertyAccessExpression } from "ts-morph";
import { Node } from "../frontend/ts-morph.js";
import { interfaceOfNode, type StructField, structLayout } from "../types/annotations.js";
import { INT_ALIASES, type IntType, maxOf, U32 } from "../types/int-type.js";

/** The verifier's MAX_PACKET_OFF: variable packet offsets must stay below it. */
const MAX_PACKET_OFF = 0xffffn;
import type { IrInsn, VReg } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert, type IntValue } from "./lower-arith.js";
import { type Lowering, type Value, declarationOf, typeIsNullable } from "./lower-context.js";
import { constantOf, lowerExpr, lowerInt } from "./lower-expr.js";
import { packetBounds } from "./packet-bounds.js";

/** Where a readable/writable integer lives in memory. */
export interface MemSlot {
  base: VReg;
  off: number;
  type: IntType;
  /** Context stores must come from a register (BPF_ST into ctx is refused). */
  ctx?: boolean;
}

export function headerView(L: Lowering, call: CallExpression, ctxReg: VReg): Value {
  const facts = L.ctx;
  if (!facts) return L.report("TSB9001", call, ["no context layout for this function"]);
  const targ = call.getTypeArguments()[0];
  const iface = interfaceOfNode(targ);
  if (!iface || !targ) return L.report("TSB2005", targ ?? call, [targ?.getText() ?? "header<?>"]);
  const layout = structLayout(iface);
  if (typeof layout === "string") return L.report("TSB3007", targ, [iface.getName(), layout]);
  const arg = call.getArguments()[0];
  if (!arg || !Node.isExpression(arg))
    return L.report("TSB2008", call, ["header()", "pass the byte offset"]);
  const off = lowerInt(L, arg);
  if (!off) return { kind: "error" };
  const offset = convert(L, off, U32, arg, false);
  const b = L.b;
  const { data, dataEnd } = packetBounds(L, ctxReg, facts, offset.op.kind === "reg");
  const view = b.vreg(true);
  const end = b.vreg(true);
  if (offset.op.kind === "imm" && offset.op.value === 0n)
    b.emit({ op: "mov", w: 64, dst: view, src: reg(data), nonNull: true });
  else {
    const add: IrInsn = {
      op: "alu",
      w: 64,
      alu: "add",
      dst: view,
      a: data,
      b: offset.op,
      nonNull: true,
    };
    b.emit(add);
    // The verifier needs a variable offset bounded below 64 KiB, on every path.
    if (offset.op.kind === "reg") {
      const limit = MAX_PACKET_OFF - BigInt(layout.size);
      L.rangeChecks.push({
        insn: add,
        reg: offset.op.reg,
        max: limit,
        constant: false,
        fallbackOk: (off.range?.[1] ?? maxOf(off.type)) <= limit,
        fail: () => L.report("TSB3006", arg),
      });
    }
  }
  b.emit({ op: "alu", w: 64, alu: "add", dst: end, a: view, b: imm(layout.size) });
  const fail = b.newBlock();
  const join = b.newBlock();
  b.terminate(
    { op: "br", w: 64, cond: "ugt", a: end, b: reg(dataEnd), then: fail, else: join },
    fail,
  );
  b.emit({ op: "mov", w: 64, dst: view, src: imm(0) });
  b.jump(join, join);
  return { kind: "header", reg: view, layout, temp: true };
}

/**
 * `ctx.meta<T>()`: a view of the metadata area (bpf_xdp_adjust_meta), at
 * data_meta, non-null when data_meta + sizeof(T) <= data. The check compares
 * the data_meta pointer against data, the form the verifier marks as a range
 * on the pkt_meta pointer, and the view is that same pointer: the verifier
 * refuses negative offsets from data, so `data - sizeof(T)` cannot be used
 * directly. After ctx.adjustMeta(-sizeof(T)) both are the same bytes.
 */
export function metaView(L: Lowering, call: CallExpression, ctxReg: VReg): Value {
  const facts = L.ctx;
  if (!facts) return L.report("TSB9001", call, ["no context layout for this function"]);
  const callee = call.getExpression();
  const nameNode = Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : call;
  if (facts.dataMeta === undefined)
    return L.report("TSB3001", nameNode, ["data_meta", facts.struct]);
  const targ = call.getTypeArguments()[0];
  const iface = interfaceOfNode(targ);
  if (!iface || !targ) return L.report("TSB2005", targ ?? call, [targ?.getText() ?? "meta<?>"]);
  const layout = structLayout(iface);
  if (typeof layout === "string") return L.report("TSB3007", targ, [iface.getName(), layout]);
  if (call.getArguments().length > 0)
    return L.report("TSB2008", call, ["meta()", "meta<T>() takes no arguments"]);
  const b = L.b;
  // Loaded here, not from the cached bounds: data_meta moves with adjustMeta.
  const view = b.vreg(true);
  const data = b.vreg(true);
  const end = b.vreg(true);
  b.emit({ op: "load", size: 4, dst: view, base: ctxReg, off: facts.dataMeta, nonNull: true });
  b.emit({ op: "load", size: 4, dst: data, base: ctxReg, off: facts.data });
  b.emit({ op: "alu", w: 64, alu: "add", dst: end, a: view, b: imm(layout.size) });
  const fail = b.newBlock();
  const join = b.newBlock();
  b.terminate({ op: "br", w: 64, cond: "ugt", a: end, b: reg(data), then: fail, else: join }, fail);
  b.emit({ op: "mov", w: 64, dst: view, src: imm(0) });
  b.jump(join, join);
  return { kind: "header", reg: view, layout, temp: true };
}

function fieldOf(
  L: Lowering,
  node: PropertyAccessExpression,
  layoutFields: Map<string, StructField>,
): StructField | undefined {
  const f = layoutFields.get(node.getName());
  if (!f) L.report("TSB3001", node.getNameNode(), [node.getName(), "header"]);
  return f;
}

/** The memory slot of `obj.field` (header field or context field), for reads and writes. */
export function memberSlot(
  L: Lowering,
  node: PropertyAccessExpression,
  forWrite: boolean,
): MemSlot | "array" | undefined {
  const obj = lowerExpr(L, node.getExpression());
  if (obj.kind === "header") {
    // TypeScript's narrowing is the proof of the bounds check: a view whose type
    // still includes null here was never checked.
    if (typeIsNullable(node.getExpression())) {
      L.report("TSB3003", node.getExpression());
      return undefined;
    }
    const f = fieldOf(L, node, obj.layout.fields);
    if (!f) return undefined;
    if (f.shape.kind === "array") return "array";
    return { base: obj.reg, off: f.offset, type: f.shape.type };
  }
  if (obj.kind === "ctx") {
    const facts = L.ctx;
    const field = facts?.fields.get(node.getName());
    if (!facts || !field) {
      L.report("TSB3001", node.getNameNode(), [node.getName(), facts?.struct ?? "program"]);
      return undefined;
    }
    if (forWrite && !field.writable) {
      L.report("TSB3002", node, [node.getName(), L.kind ?? facts.name]);
      return undefined;
    }
    return {
      base: obj.reg,
      off: field.offset,
      type: INT_ALIASES.get(field.type) ?? U32,
      ctx: true,
    };
  }
  if (obj.kind !== "error")
    L.report("TSB2008", node, [node.getText(), "only header and context fields can be read"]);
  return undefined;
}

export function loadSlot(L: Lowering, s: MemSlot): IntValue {
  const dst = L.b.vreg();
  const size = (s.type.bits / 8) as 1 | 2 | 4 | 8;
  L.b.emit({ op: "load", size, dst, base: s.base, off: s.off });
  if (s.type.signed && s.type.bits < 64) {
    // Loads zero-extend; signed fields are sign-extended into the 32-bit form.
    const sx = L.b.vreg();
    if (s.type.bits < 32)
      L.b.emit({ op: "movsx", w: 32, dst: sx, src: dst, bits: s.type.bits as 8 | 16 });
    else return { kind: "int", op: reg(dst), type: s.type, temp: true };
    return { kind: "int", op: reg(sx), type: s.type, temp: true };
  }
  return { kind: "int", op: reg(dst), type: s.type, temp: true };
}

export function storeSlot(L: Lowering, s: MemSlot, v: IntValue): void {
  const size = (s.type.bits / 8) as 1 | 2 | 4 | 8;
  let src = v.op;
  if (s.ctx && src.kind === "imm") {
    const r = L.b.vreg();
    L.b.emit({ op: "mov", w: 64, dst: r, src });
    src = reg(r);
  }
  L.b.emit({ op: "store", size, base: s.base, off: s.off, src, ...(s.ctx ? { noImm: true } : {}) });
}

export function readMember(L: Lowering, node: PropertyAccessExpression): Value {
  const decl = declarationOf(node.getNameNode());
  if (decl && Node.isEnumMember(decl)) return constantOf(L, decl, node);
  const slot = memberSlot(L, node, false);
  if (slot === "array")
    return L.report("TSB2008", node, [
      node.getText(),
      "index the array with a constant: `hdr.field[0]`",
    ]);
  if (!slot) return { kind: "error" };
  return loadSlot(L, slot);
}

/** `hdr.arr[i]` with a constant index. */
export function elementSlot(L: Lowering, node: ElementAccessExpression): MemSlot | undefined {
  const target = node.getExpression();
  if (!Node.isPropertyAccessExpression(target)) {
    L.report("TSB1001", node, ["dynamic property access", "index header arrays: `hdr.field[0]`"]);
    return undefined;
  }
  const obj = lowerExpr(L, target.getExpression());
  if (obj.kind === "header" && typeIsNullable(target.getExpression())) {
    L.report("TSB3003", target.getExpression());
    return undefined;
  }
  if (obj.kind !== "header") {
    if (obj.kind !== "error")
      L.report("TSB1001", node, ["dynamic property access", "index header arrays: `hdr.field[0]`"]);
    return undefined;
  }
  const f = fieldOf(L, target, obj.layout.fields);
  if (!f) return undefined;
  if (f.shape.kind !== "array") {
    L.report("TSB2008", node, [node.getText(), `${f.name} is not an array`]);
    return undefined;
  }
  const arg = node.getArgumentExpression();
  const idx = arg ? lowerInt(L, arg) : undefined;
  if (!idx) return undefined;
  const size = f.shape.elem.bits / 8;
  if (idx.op.kind === "reg" && arg)
    return {
      base: variableElement(L, obj.reg, idx, size, target, arg, f.shape.length),
      off: f.offset,
      type: f.shape.elem,
    };
  if (idx.op.kind !== "imm" || idx.op.value < 0n || idx.op.value >= BigInt(f.shape.length)) {
    L.report("TSB1012", arg ?? node, [
      "an out-of-range array index",
      `use an index from 0 to ${f.shape.length - 1}`,
    ]);
    return undefined;
  }
  return { base: obj.reg, off: f.offset + Number(idx.op.value) * size, type: f.shape.elem };
}

/**
 * The address of `arr[i]` for a variable i: base + i * size. The verifier
 * keeps a packet pointer's checked range (and a map value's or the stack's
 * bounds) only when what is added is a known constant, so i must have one
 * known value in range on every path, as a loop counter has in each
 * iteration the verifier walks; range-check.ts proves it (TSB3013).
 */
function variableElement(
  L: Lowering,
  base: VReg,
  idx: IntValue,
  size: number,
  array: Node,
  arg: Node,
  length: number,
): VReg {
  // A defined 64-bit value: 32-bit signed values have an undefined upper half.
  const i = idx.type.signed && idx.type.bits < 64 ? convert(L, idx, U32, arg, true) : idx;
  const iReg = (i.op as { reg: VReg }).reg;
  const addr = L.b.vreg(true);
  let scaled = iReg;
  const use: IrInsn[] = [];
  if (size > 1) {
    scaled = L.b.vreg();
    use.push({ op: "alu", w: 64, alu: "shl", dst: scaled, a: iReg, b: imm(Math.log2(size)) });
  }
  use.push({ op: "alu", w: 64, alu: "add", dst: addr, a: base, b: reg(scaled), nonNull: true });
  for (const x of use) L.b.emit(x);
  L.rangeChecks.push({
    insn: use[0]!,
    reg: iReg,
    max: BigInt(length - 1),
    constant: true,
    fallbackOk: false,
    fail: () => L.report("TSB3013", arg, [array.getText(), length - 1, length]),
  });
  return addr;
}

export function readElement(L: Lowering, node: ElementAccessExpression): Value {
  const slot = elementSlot(L, node);
  return slot ? loadSlot(L, slot) : { kind: "error" };
}
