// What the kfuncs of local kptr objects, lists, rbtrees and exceptions need
// to know about the loaded program that the per-run environment does not
// carry: its own BTF (bpf_obj_new's argument is a type id of it, and
// `__contains(type, field)` decl tags say which node field a list head or
// rbtree root holds), where each global data section and map value keeps
// its bpf_spin_lock, and the exception callback of each entry program
// (`exception_callback:<name>` decl tag on the program's FUNC).
//
// The loader attaches one ProgramInfo to the object's MapRegistry (which
// lives as long as the loaded object); helper unit tests attach their own.

import { skipModifiers, typeSize } from "../../bpf/btf/resolve.js";
import type { BtfComposite, BtfDatasec, BtfTypeList } from "../../bpf/btf/types.js";
import type { RunEnv } from "../env.js";
import type { Region } from "../vm/memory.js";
import { VmError } from "../vm/types.js";

export interface ProgramInfo {
  /** The object's `.BTF` types (empty without BTF). */
  types: BtfTypeList;
  /**
   * Offsets of global variables by section and name (clang leaves DATASEC
   * offsets 0; libbpf takes them from the symbol table, as the ELF reader did).
   */
  globalOffsets: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** BTF type id of the value of each map with a BTF value type, by map name. */
  mapValueTypes: ReadonlyMap<string, number>;
  /** Exception callback slot by entry slot (entries with an `exception_callback:` tag). */
  exceptionCallbacks: ReadonlyMap<number, number>;
}

/** A special field (bpf_list_head, bpf_rb_root, bpf_spin_lock...) found in a value's layout. */
export interface SpecialField {
  /** Byte offset in the value (global section or map value). */
  offset: number;
  /** "bpf_list_head", "bpf_rb_root", "bpf_spin_lock", ... */
  struct: string;
  /** `__contains(type, field)`: the node's struct name and field name. */
  contains?: { type: string; field: string };
  /** Bytes it takes (struct size; 8 for a kptr). */
  size?: number;
}

/** Type tags that make a pointer member a kptr field (btf_find_kptr), as SpecialField.struct. */
const KPTR_TAGS = new Set(["kptr", "kptr_untrusted", "percpu_kptr", "uptr"]);

/** A member of type PTR -> TYPE_TAG("kptr"...) -> ...: the tag, else undefined. */
function kptrTag(types: BtfTypeList, id: number): string | undefined {
  const p = types[id];
  if (p?.kind !== "ptr") return undefined;
  const tag = types[p.type];
  return tag?.kind === "type_tag" && KPTR_TAGS.has(tag.name) ? tag.name : undefined;
}

const infos = new WeakMap<object, ProgramInfo>();

export function attachProgramInfo(owner: RunEnv["maps"] | RunEnv, info: ProgramInfo): void {
  infos.set(owner, info);
}

/** The program's info, or an empty one (no BTF: nothing can be checked or sized). */
export function programInfo(env: RunEnv): ProgramInfo {
  return (
    infos.get(env) ??
    infos.get(env.maps) ?? {
      types: [],
      globalOffsets: new Map(),
      mapValueTypes: new Map(),
      exceptionCallbacks: new Map(),
    }
  );
}

/** The struct a local type id names and its size, or a fault the verifier would have given. */
export function localStruct(env: RunEnv, id: number, kfunc: string): BtfComposite {
  const { types } = programInfo(env);
  const t = types[skipModifiers(types, id)];
  if (!t || t.kind !== "struct") {
    throw new VmError(
      "helper",
      `${kfunc}: type id ${id} is not a struct of the program's BTF (the verifier refuses it)`,
    );
  }
  return t;
}

function declTags(types: BtfTypeList, target: number, component: number): string[] {
  const out: string[] = [];
  for (const t of types) {
    if (t?.kind === "decl_tag" && t.type === target && t.componentIdx === component)
      out.push(t.name);
  }
  return out;
}

function containsOf(tags: string[]): SpecialField["contains"] {
  for (const tag of tags) {
    const m = /^contains:([^:]+):(.+)$/.exec(tag);
    if (m) return { type: m[1]!, field: m[2]! };
  }
  return undefined;
}

/** Special fields of struct `id` at `base`, members of nested structs included. */
export function structFields(
  types: BtfTypeList,
  id: number,
  base: number,
  out: SpecialField[],
): void {
  const sid = skipModifiers(types, id);
  const t = types[sid];
  if (!t || t.kind !== "struct") return;
  if (t.name.startsWith("bpf_")) {
    out.push({ offset: base, struct: t.name, size: t.size });
    return;
  }
  t.members.forEach((m, i) => {
    const mt = types[skipModifiers(types, m.type)];
    const at = base + m.bitOffset / 8;
    const kptr = kptrTag(types, m.type);
    if (kptr) out.push({ offset: at, struct: kptr, size: 8 });
    else if (mt?.kind === "struct" && mt.name.startsWith("bpf_")) {
      const contains = containsOf(declTags(types, sid, i));
      out.push({ offset: at, struct: mt.name, size: mt.size, ...(contains ? { contains } : {}) });
    } else if (mt?.kind === "struct") {
      structFields(types, m.type, at, out);
    }
  });
}

/**
 * The special fields of the value `region` holds: a global data section's
 * variables (tags on the VAR), or a map value's struct (tags on members).
 */
export function specialFields(env: RunEnv, region: Region): SpecialField[] {
  const { types, mapValueTypes, globalOffsets } = programInfo(env);
  const out: SpecialField[] = [];
  if (region.kind === "global") {
    const offsets = globalOffsets.get(region.name);
    const ds = types.find((t): t is BtfDatasec => t?.kind === "datasec" && t.name === region.name);
    for (const v of ds?.vars ?? []) {
      const vt = types[v.type];
      if (vt?.kind !== "var") continue;
      const offset = offsets?.get(vt.name) ?? v.offset;
      const st = types[skipModifiers(types, vt.type)];
      if (st?.kind === "struct" && st.name.startsWith("bpf_")) {
        const contains = containsOf(declTags(types, v.type, -1));
        out.push({ offset, struct: st.name, ...(contains ? { contains } : {}) });
      } else structFields(types, vt.type, offset, out);
    }
    return out;
  }
  if (region.kind === "map_value") {
    // Region names are "value of map <name>" (runtime/loader/maps.ts).
    const name = region.name.replace(/^value of map /, "");
    const id = mapValueTypes.get(name);
    if (id !== undefined && typeSize(types, id) === region.bytes.length)
      structFields(types, id, 0, out);
  }
  return out;
}

/** `exception_callback:<name>` decl tags: the callback's name by entry program (FUNC) name. */
export function exceptionCallbackNames(types: BtfTypeList): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of types) {
    if (t?.kind !== "decl_tag" || t.componentIdx !== -1) continue;
    const m = /^exception_callback:(.+)$/.exec(t.name);
    const fn = types[t.type];
    if (m && fn?.kind === "func") out.set(fn.name, m[1]!);
  }
  return out;
}
