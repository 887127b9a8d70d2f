// Value types that live in memory (map keys and values, globals, stack
// structs): an integer or a struct laid out as C would (annotations.ts
// computes the layout). Here: their BTF (so `bpftool map dump` prints
// structs with field names), the padding gaps the compiler must zero, the
// one-field layout behind `Ref<T>.value`, and the marks that tell lowering a
// view points into a map, the stack or global data rather than the packet.

import type { BtfBuilder } from "../../bpf/btf/builder.js";
import type { TypeRef } from "../../bpf/elf/object-spec.js";
import { IntEncoding } from "../../bpf/btf/types.js";
import type { StructLayout } from "./annotations.js";
import type { IntType } from "./int-type.js";

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
  const members = [...t.layout.fields.values()].map((f) => {
    const type =
      f.shape.kind === "int"
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
