// BTF for the common shapes of a BPF object, in the form libbpf expects:
// BTF-defined map definitions (`__uint(type, N)` etc.), data sections and
// kfunc externs. Also the reverse for maps: reading a definition struct
// back into numbers, used by the ELF reader.
//
// A map definition is an anonymous struct of 8-byte members matched by name:
//   __uint(name, N)      -> member `name`: PTR -> ARRAY(int, nelems = N)
//   __type(key, T)       -> member `key`:  PTR -> T
//   __array(values, M)   -> member `values` (last): ARRAY(PTR -> M's struct, 0)

import type { BtfBuilder } from "./builder.js";
import { skipModifiers, typeSize } from "./resolve.js";
import {
  BtfError,
  type BtfMember,
  type BtfParam,
  type BtfTypeList,
  IntEncoding,
  Linkage,
} from "./types.js";

/** The numeric members of a map definition, by their libbpf names. */
export const MAP_NUMBER_FIELDS = [
  "type",
  "max_entries",
  "map_flags",
  "key_size",
  "value_size",
  "numa_node",
  "map_extra",
  "pinning",
] as const;
export type MapNumberField = (typeof MAP_NUMBER_FIELDS)[number];

export interface MapDefinitionBtf {
  type: number;
  maxEntries: number;
  flags?: number;
  /** 1 = pin by name (LIBBPF_PIN_BY_NAME). */
  pinning?: number;
  numaNode?: number;
  mapExtra?: number;
  /** A key type id (preferred: bpftool can pretty-print), or a size. */
  key?: { type: number } | { size: number };
  value?: { type: number } | { size: number };
  /** Map-in-map: the struct id of the inner map's definition. */
  innerMap?: number;
}

/** The `__uint(name, n)` member type: PTR -> ARRAY(int, n). */
export function uintMember(b: BtfBuilder, n: number): number {
  const int = b.int("int", 4, IntEncoding.SIGNED);
  return b.ptr(b.array(int, n));
}

/** The anonymous definition struct of a BTF-defined map; returns its id. */
export function mapDefinition(b: BtfBuilder, def: MapDefinitionBtf): number {
  const members: Omit<BtfMember, "bitfieldSize">[] = [];
  const push = (name: string, type: number) =>
    members.push({ name, type, bitOffset: members.length * 64 });
  push("type", uintMember(b, def.type));
  push("max_entries", uintMember(b, def.maxEntries));
  if (def.flags) push("map_flags", uintMember(b, def.flags));
  if (def.numaNode !== undefined) push("numa_node", uintMember(b, def.numaNode));
  if (def.mapExtra !== undefined) push("map_extra", uintMember(b, def.mapExtra));
  for (const [name, kv] of [
    ["key", def.key],
    ["value", def.value],
  ] as const) {
    if (!kv) continue;
    if ("type" in kv) push(name, b.ptr(kv.type));
    else push(`${name}_size`, uintMember(b, kv.size));
  }
  if (def.pinning) push("pinning", uintMember(b, def.pinning));
  // `values` must be the last member (libbpf checks) and takes no space.
  const size = members.length * 8;
  if (def.innerMap !== undefined) {
    members.push({ name: "values", type: b.array(b.ptr(def.innerMap), 0), bitOffset: size * 8 });
  }
  return b.struct("", size, members);
}

/** An extern kfunc: FUNC (linkage extern) of a FUNC_PROTO whose params are all named. */
export function kfuncExtern(
  b: BtfBuilder,
  name: string,
  returnType: number,
  params: BtfParam[],
): number {
  params.forEach((p, i) => {
    if (!p.name) throw new BtfError(`kfunc ${name}: parameter ${i} needs a name`);
  });
  return b.func(name, b.funcProto(returnType, params), Linkage.EXTERN);
}

/** What a map definition struct says, as read back from BTF. */
export interface ParsedMapDefinition {
  numbers: Partial<Record<MapNumberField, number>>;
  keyType?: number;
  valueType?: number;
  keySize?: number;
  valueSize?: number;
  /** The inner map's definition struct id, for map-in-map. */
  innerMap?: number;
}

/** Read a map definition struct (libbpf's parse_btf_map_def, the parts we need). */
export function parseMapDefinition(types: BtfTypeList, structId: number): ParsedMapDefinition {
  const st = types[skipModifiers(types, structId)];
  if (!st || st.kind !== "struct") {
    throw new BtfError(`map definition type ${structId} is not a struct`);
  }
  const out: ParsedMapDefinition = { numbers: {} };
  const pointee = (m: BtfMember): number => {
    const p = types[skipModifiers(types, m.type)];
    if (!p || p.kind !== "ptr") throw new BtfError(`map member '${m.name}' is not a pointer`);
    return p.type;
  };
  for (const m of st.members) {
    if ((MAP_NUMBER_FIELDS as readonly string[]).includes(m.name)) {
      const arr = types[skipModifiers(types, pointee(m))];
      if (!arr || arr.kind !== "array") {
        throw new BtfError(`map member '${m.name}' is not a pointer to an array`);
      }
      out.numbers[m.name as MapNumberField] = arr.nelems;
    } else if (m.name === "key" || m.name === "value") {
      const t = pointee(m);
      const size = typeSize(types, t);
      if (m.name === "key") [out.keyType, out.keySize] = [t, size];
      else [out.valueType, out.valueSize] = [t, size];
    } else if (m.name === "values") {
      const arr = types[skipModifiers(types, m.type)];
      if (!arr || arr.kind !== "array") throw new BtfError("map member 'values' is not an array");
      const inner = types[skipModifiers(types, arr.elemType)];
      if (!inner || inner.kind !== "ptr") {
        throw new BtfError("map member 'values' is not an array of pointers");
      }
      out.innerMap = skipModifiers(types, inner.type);
    }
  }
  if (out.numbers.key_size !== undefined) out.keySize ??= out.numbers.key_size;
  if (out.numbers.value_size !== undefined) out.valueSize ??= out.numbers.value_size;
  return out;
}
