// Value types that live in memory (map keys and values, globals, stack
// structs): an integer or a struct laid out as C would (annotations.ts
// computes the layout). Here: their BTF (so `bpftool map dump` prints
// structs with field names), the padding gaps the compiler must zero, the
// one-field layout behind `Ref<T>.value`, and the marks that tell lowering a
// view points into a map, the stack or global data rather than the packet.

import type { BtfBuilder } from "../../bpf/btf/builder.js";
import type { TypeRef } from "../../bpf/elf/object-spec.js";
import { IntEncoding } from "../../bpf/btf/types.js";
import type { InterfaceDeclaration } from "ts-morph";
import { intTypeOfNode, type StructField, type StructLayout } from "./annotations.js";
import { type IntType, U32, U64 } from "./int-type.js";

export type ValueType = { kind: "int"; type: IntType } | { kind: "struct"; layout: StructLayout };

export function sizeOfValue(t: ValueType): number {
  return t.kind === "int" ? t.type.bits / 8 : t.layout.size;
}

const C_NAMES: Record<string, string> = {
  u8: "__u8",
  u16: "__u16",
  u32: "__u32",
  u64: "__u64",
  i8: "__s8",
  i16: "__s16",
  i32: "__s32",
  i64: "__s64",
};

function intBtf(b: BtfBuilder, t: IntType): number {
  const bytes = t.bits / 8;
  if (t.bool) return b.int("_Bool", 1, IntEncoding.BOOL);
  const base = t.signed
    ? b.int(["", "signed char", "short", "", "int", "", "", "", "long long"][bytes]!, bytes, 1)
    : b.int(
        [
          "",
          "unsigned char",
          "unsigned short",
          "",
          "unsigned int",
          "",
          "",
          "",
          "unsigned long long",
        ][bytes]!,
        bytes,
      );
  const name = t.be ? `__be${t.bits}` : C_NAMES[`${t.signed ? "i" : "u"}${t.bits}`]!;
  return b.typedef(name, base);
}

/** The BTF of a value type, as a TypeRef for the ELF writer. */
export function btfTypeRef(t: ValueType): TypeRef {
  return (b) => btfOf(b, t);
}

function btfOf(b: BtfBuilder, t: ValueType): number {
  if (t.kind === "int") return intBtf(b, t.type);
  const opaque = opaqueFieldsOf.get(t.layout);
  const members = [...t.layout.fields.values()].map((f) => {
    const kernel = opaque?.get(f.name);
    const size =
      f.shape.kind === "array" ? (f.shape.elem.bits / 8) * f.shape.length : f.shape.type.bits / 8;
    const type = kernel
      ? opaqueBtf(b, kernel, size)
      : f.shape.kind === "int"
        ? intBtf(b, f.shape.type)
        : b.array(intBtf(b, f.shape.elem), f.shape.length);
    return { name: f.name, type, bitOffset: f.offset * 8 };
  });
  return b.struct(t.layout.name, t.layout.size, members);
}

/** Byte ranges of a struct not covered by a field (padding), as [offset, length]. */
export function paddingGaps(layout: StructLayout): [number, number][] {
  const covered = new Uint8Array(layout.size);
  for (const f of layout.fields.values()) {
    const len =
      f.shape.kind === "int" ? f.shape.type.bits / 8 : (f.shape.elem.bits / 8) * f.shape.length;
    covered.fill(1, f.offset, f.offset + len);
  }
  const gaps: [number, number][] = [];
  for (let i = 0; i < layout.size;) {
    if (covered[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < layout.size && !covered[j]) j++;
    gaps.push([i, j - i]);
    i = j;
  }
  return gaps;
}

/** Stores of zero that cover [off, off+len) with naturally aligned 8/4/2/1-byte pieces. */
export function zeroPieces(off: number, len: number): { off: number; size: 1 | 2 | 4 | 8 }[] {
  const out: { off: number; size: 1 | 2 | 4 | 8 }[] = [];
  let o = off;
  const end = off + len;
  while (o < end) {
    const size = ([8, 4, 2, 1] as const).find((s) => o % s === 0 && o + s <= end)!;
    out.push({ off: o, size });
    o += size;
  }
  return out;
}

const stable = new WeakSet<StructLayout>();
const stableOf = new WeakMap<StructLayout, StructLayout>();

/** A copy of `layout` marked as memory the packet helpers do not move (map, stack, globals). */
export function stableLayout(layout: StructLayout): StructLayout {
  if (stable.has(layout)) return layout;
  let s = stableOf.get(layout);
  if (!s) {
    s = { ...layout };
    stable.add(s);
    stableOf.set(layout, s);
  }
  return s;
}

/** Whether a view's layout was made by stableLayout (not invalidated by packet moves). */
export function isStableLayout(layout: StructLayout): boolean {
  return stable.has(layout);
}

const refLayouts = new Map<string, StructLayout>();

/** The layout behind `Ref<T>`: one field `value` of type T at offset 0. */
export function refLayout(t: IntType): StructLayout {
  const key = `${t.bits}${t.signed ? "s" : "u"}${t.be ? "b" : ""}${t.bool ? "B" : ""}`;
  let l = refLayouts.get(key);
  if (!l) {
    const size = t.bits / 8;
    l = stableLayout({
      name: `Ref`,
      size,
      align: size,
      fields: new Map([
        ["value", { name: "value", offset: 0, shape: { kind: "int", type: t }, readonly: false }],
      ]),
    });
    refLayouts.set(key, l);
  }
  return l;
}

/** The view layout of a value type in memory (a struct, or a Ref for integers). */
export function viewLayout(t: ValueType): StructLayout {
  return t.kind === "int" ? refLayout(t.type) : stableLayout(t.layout);
}

/** Kernel objects that may sit inside a map value: BTF struct name, size, alignment. */
const OPAQUE_FIELDS: Record<string, { name: string; size: number; align: number }> = {
  BpfSpinLock: { name: "bpf_spin_lock", size: 4, align: 4 },
  'Struct<"bpf_spin_lock">': { name: "bpf_spin_lock", size: 4, align: 4 },
  BpfTimer: { name: "bpf_timer", size: 16, align: 8 },
  'Struct<"bpf_timer">': { name: "bpf_timer", size: 16, align: 8 },
};

/** Fields of a layout that are opaque kernel objects, by field name -> BTF struct name. */
const opaqueFieldsOf = new WeakMap<StructLayout, Map<string, string>>();

/**
 * The layout of an interface that holds kernel objects (`lock: BpfSpinLock`) next to
 * integers: the object is laid out as an array of u32/u64 of its size and emitted in
 * BTF as the kernel's struct (the verifier finds `struct bpf_spin_lock` by name).
 */
export function layoutWithKernelObjects(iface: InterfaceDeclaration): StructLayout | undefined {
  const fields = new Map<string, StructField>();
  const opaque = new Map<string, string>();
  let offset = 0;
  let align = 1;
  for (const p of iface.getProperties()) {
    const text = p.getTypeNode()?.getText() ?? "";
    const o = OPAQUE_FIELDS[text];
    let shape: StructField["shape"];
    let a: number;
    let size: number;
    if (o) {
      const elem = o.align === 8 ? U64 : U32;
      shape = { kind: "array", elem, length: o.size / o.align };
      a = o.align;
      size = o.size;
      opaque.set(p.getName(), o.name);
    } else {
      const t = intTypeOfNode(p.getTypeNode());
      if (!t) return undefined;
      shape = { kind: "int", type: t };
      a = size = t.bits / 8;
    }
    offset = Math.ceil(offset / a) * a;
    fields.set(p.getName(), { name: p.getName(), offset, shape, readonly: p.isReadonly() });
    offset += size;
    align = Math.max(align, a);
  }
  if (opaque.size === 0) return undefined;
  const layout = { name: iface.getName(), size: Math.ceil(offset / align) * align, align, fields };
  opaqueFieldsOf.set(layout, opaque);
  return layout;
}

function opaqueBtf(b: BtfBuilder, name: string, size: number): number {
  const u = size === 4 ? b.int("unsigned int", 4) : b.int("unsigned long long", 8);
  const n = size === 4 ? 1 : size / 8;
  const type = n === 1 ? u : b.array(u, n);
  return b.struct(name, size, [{ name: size === 4 ? "val" : "__opaque", type, bitOffset: 0 }]);
}
