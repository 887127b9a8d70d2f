// Questions asked of a type list: the size of a type, what a typedef or
// modifier chain ends at, and copying a type (with everything it mentions)
// from one list into a BtfBuilder, so that types read from a clang object
// can be written into a new one.

import type { BtfBuilder } from "./builder.js";
import { BtfError, type BtfType, type BtfTypeList } from "./types.js";

const MODIFIERS = new Set(["typedef", "volatile", "const", "restrict", "type_tag"]);

function lookup(types: BtfTypeList, id: number): BtfType {
  const t = types[id];
  if (!t) throw new BtfError(`type ${id} does not exist (or is void)`);
  return t;
}

/** Follow typedefs and modifiers to the underlying type id (0 for void). */
export function skipModifiers(types: BtfTypeList, id: number): number {
  for (let depth = 0; depth < 64; depth++) {
    const t = types[id];
    if (!t || !MODIFIERS.has(t.kind)) return id;
    id = (t as { type: number }).type;
  }
  throw new BtfError(`type ${id}: typedef/modifier chain is too long or loops`);
}

/** Byte size of a type, as the kernel computes it. */
export function typeSize(types: BtfTypeList, id: number): number {
  let mult = 1;
  for (let depth = 0; depth < 64; depth++) {
    const t = lookup(types, skipModifiers(types, id));
    switch (t.kind) {
      case "int":
      case "struct":
      case "union":
      case "enum":
      case "enum64":
      case "float":
      case "datasec":
        return mult * t.size;
      case "ptr":
        return mult * 8;
      case "array":
        mult *= t.nelems;
        id = t.elemType;
        continue;
      case "var":
        id = t.type;
        continue;
      default:
        throw new BtfError(`type ${id} (${t.kind}) has no size`);
    }
  }
  throw new BtfError(`type ${id}: array chain is too deep`);
}

/**
 * Copy type `id` of `from` and everything it refers to into `to`, returning
 * the new id. `memo` maps old ids to new ones across calls (pass the same
 * map to share types). Cycles through struct pointers are handled by
 * reserving the struct's slot before copying its members.
 */
export function importType(
  to: BtfBuilder,
  from: BtfTypeList,
  id: number,
  memo: Map<number, number> = new Map(),
): number {
  if (id === 0) return 0;
  const known = memo.get(id);
  if (known !== undefined) return known;
  const t = lookup(from, id);
  const copy = structuredClone(t);
  const newId = to.add(copy);
  memo.set(id, newId);
  const map = (ref: number) => importType(to, from, ref, memo);
  switch (copy.kind) {
    case "array":
      copy.elemType = map(copy.elemType);
      copy.indexType = map(copy.indexType);
      break;
    case "struct":
    case "union":
      for (const m of copy.members) m.type = map(m.type);
      break;
    case "func_proto":
      copy.returnType = map(copy.returnType);
      for (const p of copy.params) p.type = map(p.type);
      break;
    case "datasec":
      for (const s of copy.vars) s.type = map(s.type);
      break;
    default:
      if ("type" in copy) copy.type = map(copy.type);
  }
  return newId;
}
