// CO-RE relocation values (what libbpf's relo_core.c computes before it
// patches an instruction): the local access spec parsed from clang's access
// string ("0:1:2") against the object's BTF, matched against each candidate
// type of the target (kernel) BTF, and the value each relocation kind asks
// for (field offset/size/existence/signedness/shifts, type id/existence/
// size/match, enumerator existence/value). Written from libbpf's rules
// (names compared without their ___flavor suffix, members found through
// anonymous structs, ints compatible whatever their size, and so on); the
// loader (core-relos.ts) finds the candidates and patches the instructions.

import { skipModifiers, typeSize } from "../../bpf/btf/resolve.js";
import type { BtfComposite, BtfEnum, BtfType, BtfTypeList } from "../../bpf/btf/types.js";

export enum CoreKind {
  FIELD_BYTE_OFFSET = 0,
  FIELD_BYTE_SIZE = 1,
  FIELD_EXISTS = 2,
  FIELD_SIGNED = 3,
  FIELD_LSHIFT_U64 = 4,
  FIELD_RSHIFT_U64 = 5,
  TYPE_ID_LOCAL = 6,
  TYPE_ID_TARGET = 7,
  TYPE_EXISTS = 8,
  TYPE_SIZE = 9,
  ENUMVAL_EXISTS = 10,
  ENUMVAL_VALUE = 11,
  TYPE_MATCHES = 12,
}

/** A relocation libbpf refuses (the object does not load). */
export class CoreError extends Error {}

const SPEC_MAX_LEN = 64;
const MAX_DEPTH = 32;

export const isFieldKind = (k: CoreKind) => k <= CoreKind.FIELD_RSHIFT_U64;
export const isTypeKind = (k: CoreKind) =>
  (k >= CoreKind.TYPE_ID_LOCAL && k <= CoreKind.TYPE_SIZE) || k === CoreKind.TYPE_MATCHES;
export const isEnumvalKind = (k: CoreKind) =>
  k === CoreKind.ENUMVAL_EXISTS || k === CoreKind.ENUMVAL_VALUE;

interface Accessor {
  typeId: number;
  idx: number;
  /** A named member or enumerator; undefined for array indexing. */
  name: string | undefined;
}

export interface CoreSpec {
  types: BtfTypeList;
  rootId: number;
  kind: CoreKind;
  acc: Accessor[];
  rawLen: number;
  bitOffset: number;
}

/** What a relocation resolves to (bpf_core_relo_res). */
export interface CoreResult {
  poison: boolean;
  origVal: bigint;
  newVal: bigint;
  origSize: number;
  newSize: number;
  validate: boolean;
  failMemSizeAdjust: boolean;
}

type Kind = BtfType["kind"] | "void";

function kindOf(types: BtfTypeList, id: number): Kind {
  if (id === 0) return "void";
  const t = types[id];
  if (!t) throw new CoreError(`type [${id}] does not exist`);
  return t.kind;
}

/** skip_mods_and_typedefs: the id typedefs and modifiers lead to. */
function skip(types: BtfTypeList, id: number): number {
  try {
    return skipModifiers(types, id);
  } catch (e) {
    throw new CoreError(e instanceof Error ? e.message : String(e));
  }
}

function resolveSize(types: BtfTypeList, id: number): number {
  try {
    return typeSize(types, id);
  } catch (e) {
    throw new CoreError(e instanceof Error ? e.message : String(e));
  }
}

function nameOf(types: BtfTypeList, id: number): string {
  const t = types[id];
  return t && "name" in t ? t.name : "";
}

const isEnum = (k: Kind) => k === "enum" || k === "enum64";
const isComposite = (k: Kind) => k === "struct" || k === "union";

/** btf_kind_core_compat: the same kind, or enum and enum64. */
const kindsCompat = (a: Kind, b: Kind) => a === b || (isEnum(a) && isEnum(b));

/** bpf_core_essential_name_len: the name without a "___flavor" suffix. */
export function essentialName(name: string): string {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== "_" && name.startsWith("___", i + 1) && name[i + 4] !== "_") {
      return name.slice(0, i + 1);
    }
  }
  return name;
}

/** bpf_core_parse_spec: the local spec of a relocation's access string. */
export function parseSpec(
  types: BtfTypeList,
  rootId: number,
  kind: CoreKind,
  access: string,
): CoreSpec {
  if (access === "" || access.startsWith(":")) throw new CoreError(`bad access string "${access}"`);
  const spec: CoreSpec = { types, rootId, kind, acc: [], rawLen: 0, bitOffset: 0 };
  if (isTypeKind(kind)) {
    if (access !== "0") throw new CoreError(`type relocation with access string "${access}"`);
    return spec;
  }
  const raw: number[] = [];
  for (const part of access.split(":")) {
    if (!/^-?\d+/.test(part)) throw new CoreError(`bad access string "${access}"`);
    if (raw.length === SPEC_MAX_LEN) throw new CoreError("access string too long");
    raw.push(parseInt(part, 10));
  }
  spec.rawLen = raw.length;
  let id = skip(types, rootId);
  const first = raw[0]!;
  spec.acc.push({ typeId: id, idx: first, name: undefined });
  if (isEnumvalKind(kind)) {
    const t = types[id];
    if (!t || (t.kind !== "enum" && t.kind !== "enum64") || raw.length > 1) {
      throw new CoreError(`enumerator relocation on a non-enum or with a path`);
    }
    if (first < 0 || first >= t.values.length)
      throw new CoreError(`enumerator ${first} of ${t.name}`);
    spec.acc[0]!.name = t.values[first]!.name;
    return spec;
  }
  if (!isFieldKind(kind)) throw new CoreError(`unknown relocation kind ${kind}`);
  spec.bitOffset = first * resolveSize(types, id) * 8;
  for (let i = 1; i < raw.length; i++) {
    id = skip(types, id);
    const t = types[id];
    const idx = raw[i]!;
    if (t && (t.kind === "struct" || t.kind === "union")) {
      if (idx < 0 || idx >= t.members.length) throw new CoreError(`member ${idx} of ${t.name}`);
      const m = t.members[idx]!;
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.acc.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t && t.kind === "array") {
      const elem = skip(types, t.elemType);
      if (!isFlexArray(types, spec.acc[spec.acc.length - 1]!, t.nelems) && idx >= t.nelems) {
        throw new CoreError(`index ${idx} past an array of ${t.nelems}`);
      }
      spec.acc.push({ typeId: elem, idx, name: undefined });
      spec.bitOffset += idx * resolveSize(types, elem) * 8;
      id = elem;
    } else {
      throw new CoreError(`access string "${access}" goes into a ${t?.kind ?? "void"}`);
    }
  }
  return spec;
}

/** is_flex_arr: a zero-length array that is the last member of the struct the accessor names. */
function isFlexArray(types: BtfTypeList, acc: Accessor, nelems: number): boolean {
  if (!acc.name || nelems > 0) return false;
  const t = types[acc.typeId] as BtfComposite | undefined;
  return !!t && "members" in t && acc.idx === t.members.length - 1;
}

/** bpf_core_types_are_compat (type relocations; root names already matched). */
function typesCompat(
  lt: BtfTypeList,
  lid: number,
  tt: BtfTypeList,
  tid: number,
  level = MAX_DEPTH,
): boolean {
  if (!kindsCompat(kindOf(lt, lid), kindOf(tt, tid))) return false;
  for (let depth = MAX_DEPTH; ; depth--) {
    if (depth < 0) throw new CoreError("type nesting too deep");
    lid = skip(lt, lid);
    tid = skip(tt, tid);
    const lk = kindOf(lt, lid);
    const tk = kindOf(tt, tid);
    if (!kindsCompat(lk, tk)) return false;
    const l = lt[lid];
    const t = tt[tid];
    switch (lk) {
      case "void":
      case "struct":
      case "union":
      case "enum":
      case "enum64":
      case "fwd":
        return true;
      case "int":
        return plainInts(l, t);
      case "ptr":
        lid = (l as { type: number }).type;
        tid = (t as { type: number }).type;
        continue;
      case "array":
        lid = (l as { elemType: number }).elemType;
        tid = (t as { elemType: number }).elemType;
        continue;
      case "func_proto": {
        if (l?.kind !== "func_proto" || t?.kind !== "func_proto") return false;
        if (l.params.length !== t.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          if (level <= 0) throw new CoreError("type nesting too deep");
          const a = skip(lt, l.params[i]!.type);
          const b = skip(tt, t.params[i]!.type);
          if (!typesCompat(lt, a, tt, b, level - 1)) return false;
        }
        lid = skip(lt, l.returnType);
        tid = skip(tt, t.returnType);
        continue;
      }
      default:
        return false;
    }
  }
}

/** Ints are compatible whatever their size; only the deprecated bit-offset ints are refused. */
function plainInts(l: BtfType | undefined, t: BtfType | undefined): boolean {
  return l?.kind === "int" && t?.kind === "int" && l.bitOffset === 0 && t.bitOffset === 0;
}

/** bpf_core_names_match: both anonymous, or the same essential name. */
function namesMatch(local: string, target: string): boolean {
  if (target === "") return local === "";
  return essentialName(local) === essentialName(target);
}

/** bpf_core_types_match (TYPE_MATCHES): a stricter, name-aware shape match. */
function typesMatch(
  lt: BtfTypeList,
  lid: number,
  tt: BtfTypeList,
  tid: number,
  behindPtr: boolean,
  level: number,
): boolean {
  if (level <= 0) throw new CoreError("type nesting too deep");
  for (let depth = MAX_DEPTH; ; depth--) {
    if (depth < 0) throw new CoreError("type nesting too deep");
    lid = skip(lt, lid);
    tid = skip(tt, tid);
    if (!namesMatch(nameOf(lt, lid), nameOf(tt, tid))) return false;
    const lk = kindOf(lt, lid);
    const tk = kindOf(tt, tid);
    const l = lt[lid];
    const t = tt[tid];
    switch (lk) {
      case "void":
        return lk === tk;
      case "fwd": {
        const lf = l?.kind === "fwd" && l.union;
        if (behindPtr && lk !== tk) return (tk === "struct" && !lf) || (tk === "union" && lf);
        return lk === tk && lf === (t?.kind === "fwd" && t.union);
      }
      case "enum":
      case "enum64":
        return isEnum(tk) && enumsMatch(l as BtfEnum, t as BtfEnum);
      case "struct":
      case "union":
        if (behindPtr) {
          if (lk === tk) return true;
          return tk === "fwd" && (lk === "union") === (t?.kind === "fwd" && t.union);
        }
        return lk === tk && compositesMatch(lt, l as BtfComposite, tt, t as BtfComposite, level);
      case "int":
        return (
          l?.kind === "int" &&
          t?.kind === "int" &&
          l.size === t.size &&
          (l.encoding & 1) === (t.encoding & 1)
        );
      case "ptr":
        if (tk !== "ptr") return false;
        behindPtr = true;
        lid = (l as { type: number }).type;
        tid = (t as { type: number }).type;
        continue;
      case "array":
        if (l?.kind !== "array" || t?.kind !== "array" || l.nelems !== t.nelems) return false;
        lid = l.elemType;
        tid = t.elemType;
        continue;
      case "func_proto":
        if (l?.kind !== "func_proto" || t?.kind !== "func_proto") return false;
        if (l.params.length !== t.params.length) return false;
        for (let i = 0; i < l.params.length; i++) {
          const p = l.params[i]!.type;
          if (!typesMatch(lt, p, tt, t.params[i]!.type, behindPtr, level - 1)) return false;
        }
        lid = l.returnType;
        tid = t.returnType;
        continue;
      default:
        return false;
    }
  }
}

function enumsMatch(l: BtfEnum, t: BtfEnum): boolean {
  if (l.size !== t.size || l.values.length > t.values.length) return false;
  return l.values.every((v) => t.values.some((w) => namesMatch(v.name, w.name)));
}

function compositesMatch(
  lt: BtfTypeList,
  l: BtfComposite,
  tt: BtfTypeList,
  t: BtfComposite,
  level: number,
): boolean {
  if (l.members.length > t.members.length) return false;
  return l.members.every((m) =>
    t.members.some(
      (n) => namesMatch(m.name, n.name) && typesMatch(lt, m.type, tt, n.type, false, level - 1),
    ),
  );
}

/** bpf_core_fields_are_compat: a local member's type against a target member's. */
function fieldsCompat(lt: BtfTypeList, lid: number, tt: BtfTypeList, tid: number): boolean {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    lid = skip(lt, lid);
    tid = skip(tt, tid);
    const lk = kindOf(lt, lid);
    const tk = kindOf(tt, tid);
    if (isComposite(lk) && isComposite(tk)) return true;
    if (!kindsCompat(lk, tk)) return false;
    const l = lt[lid];
    const t = tt[tid];
    switch (lk) {
      case "ptr":
      case "float":
        return true;
      case "fwd":
      case "enum":
      case "enum64": {
        const a = essentialName(nameOf(lt, lid));
        const b = essentialName(nameOf(tt, tid));
        return a === "" || b === "" || a === b;
      }
      case "int":
        return plainInts(l, t);
      case "array":
        lid = (l as { elemType: number }).elemType;
        tid = (t as { elemType: number }).elemType;
        continue;
      default:
        return false;
    }
  }
  throw new CoreError("type nesting too deep");
}

/** bpf_core_match_member: find the local accessor's member in target composite `tid`. */
function matchMember(
  local: CoreSpec,
  acc: Accessor,
  tt: BtfTypeList,
  tid: number,
  spec: CoreSpec,
): { next: number } | false {
  tid = skip(tt, tid);
  const t = tt[tid];
  if (!t || (t.kind !== "struct" && t.kind !== "union")) return false;
  const lm = (local.types[acc.typeId] as BtfComposite).members[acc.idx]!;
  for (let i = 0; i < t.members.length; i++) {
    const m = t.members[i]!;
    if (spec.rawLen === SPEC_MAX_LEN) throw new CoreError("struct nesting too deep");
    spec.bitOffset += m.bitOffset;
    spec.rawLen++;
    if (m.name === "") {
      const found = matchMember(local, acc, tt, m.type, spec);
      if (found) return found;
    } else if (m.name === lm.name) {
      spec.acc.push({ typeId: tid, idx: i, name: m.name });
      if (fieldsCompat(local.types, lm.type, tt, m.type)) return { next: m.type };
      spec.acc.pop();
      return false;
    }
    spec.bitOffset -= m.bitOffset;
    spec.rawLen--;
  }
  return false;
}

/** bpf_core_spec_match: the target spec for candidate `tid`, or undefined when it does not match. */
export function matchSpec(local: CoreSpec, tt: BtfTypeList, tid: number): CoreSpec | undefined {
  const spec: CoreSpec = {
    types: tt,
    rootId: tid,
    kind: local.kind,
    acc: [],
    rawLen: 0,
    bitOffset: 0,
  };
  if (isTypeKind(local.kind)) {
    const ok =
      local.kind === CoreKind.TYPE_MATCHES
        ? typesMatch(local.types, local.rootId, tt, tid, false, MAX_DEPTH)
        : typesCompat(local.types, local.rootId, tt, tid);
    return ok ? spec : undefined;
  }
  if (isEnumvalKind(local.kind)) {
    const eid = skip(tt, tid);
    const t = tt[eid];
    if (!t || (t.kind !== "enum" && t.kind !== "enum64")) return undefined;
    const want = essentialName(local.acc[0]!.name!);
    const i = t.values.findIndex((v) => essentialName(v.name) === want);
    if (i < 0) return undefined;
    spec.acc.push({ typeId: eid, idx: i, name: t.values[i]!.name });
    spec.rawLen = 1;
    return spec;
  }
  let id = tid;
  for (let i = 0; i < local.acc.length; i++) {
    const la = local.acc[i]!;
    id = skip(tt, id);
    if (la.name !== undefined) {
      const found = matchMember(local, la, tt, id, spec);
      if (!found) return undefined;
      id = found.next;
      continue;
    }
    if (i > 0) {
      const t = tt[id];
      if (!t || t.kind !== "array") return undefined;
      if (!isFlexArray(tt, spec.acc[spec.acc.length - 1]!, t.nelems) && la.idx >= t.nelems) {
        return undefined;
      }
      id = skip(tt, t.elemType);
    }
    if (spec.rawLen === SPEC_MAX_LEN) throw new CoreError("struct nesting too deep");
    spec.acc.push({ typeId: id, idx: la.idx, name: undefined });
    spec.rawLen++;
    spec.bitOffset += la.idx * resolveSize(tt, id) * 8;
  }
  return spec;
}

interface FieldValue {
  val: bigint;
  size: number;
  typeId: number;
  validate: boolean;
}

/** bpf_core_calc_field_relo; undefined asks for the instruction to be poisoned. */
function fieldValue(kind: CoreKind, spec: CoreSpec | undefined): FieldValue | undefined {
  const out: FieldValue = { val: 0n, size: 0, typeId: 0, validate: true };
  if (kind === CoreKind.FIELD_EXISTS) {
    out.val = spec ? 1n : 0n;
    return out;
  }
  if (!spec) return undefined;
  const acc = spec.acc[spec.acc.length - 1]!;
  const types = spec.types;
  if (acc.name === undefined) {
    if (kind !== CoreKind.FIELD_BYTE_OFFSET && kind !== CoreKind.FIELD_BYTE_SIZE) {
      throw new CoreError("this relocation kind cannot apply to an array element");
    }
    const sz = resolveSize(types, acc.typeId);
    if (kind === CoreKind.FIELD_BYTE_OFFSET) {
      out.val = BigInt(spec.bitOffset / 8);
      out.size = sz;
      out.typeId = acc.typeId;
    } else out.val = BigInt(sz);
    return out;
  }
  const owner = types[acc.typeId] as BtfComposite;
  const m = owner.members[acc.idx]!;
  const fieldId = skip(types, m.type);
  const mt = types[fieldId];
  const bitOff = spec.bitOffset;
  let bitSize = m.bitfieldSize;
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    byteSize = mt && "size" in mt ? mt.size : 0;
    if (byteSize <= 0) throw new CoreError(`bitfield ${m.name} of a type without a size`);
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8)
        throw new CoreError(`bitfield ${m.name} cannot be read with a 64-bit load`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = resolveSize(types, fieldId);
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  out.validate = !bitfield;
  switch (kind) {
    case CoreKind.FIELD_BYTE_OFFSET:
      out.val = BigInt(byteOff);
      if (!bitfield) {
        out.size = byteSize;
        out.typeId = fieldId;
      }
      break;
    case CoreKind.FIELD_BYTE_SIZE:
      out.val = BigInt(byteSize);
      break;
    case CoreKind.FIELD_SIGNED:
      out.val =
        (mt && isEnum(mt.kind) && (mt as BtfEnum).signed) ||
        (mt?.kind === "int" && (mt.encoding & 1) !== 0)
          ? 1n
          : 0n;
      out.validate = true;
      break;
    case CoreKind.FIELD_LSHIFT_U64:
      out.val = BigInt(64 - (bitOff + bitSize - byteOff * 8));
      break;
    case CoreKind.FIELD_RSHIFT_U64:
      out.val = BigInt(64 - bitSize);
      out.validate = true;
      break;
    default:
      throw new CoreError(`unknown field relocation kind ${kind}`);
  }
  return out;
}

/** bpf_core_calc_type_relo: 0 when the target type is not found. */
function typeValue(kind: CoreKind, spec: CoreSpec | undefined): bigint {
  if (!spec) return 0n;
  switch (kind) {
    case CoreKind.TYPE_ID_TARGET:
      return BigInt(spec.rootId);
    case CoreKind.TYPE_EXISTS:
    case CoreKind.TYPE_MATCHES:
      return 1n;
    case CoreKind.TYPE_SIZE:
      return BigInt(resolveSize(spec.types, spec.rootId));
    default:
      throw new CoreError(`unknown type relocation kind ${kind}`);
  }
}

/** bpf_core_calc_enumval_relo; undefined asks for poisoning. */
function enumValue(kind: CoreKind, spec: CoreSpec | undefined): bigint | undefined {
  if (kind === CoreKind.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return undefined;
  const acc = spec.acc[0]!;
  const t = spec.types[acc.typeId] as BtfEnum;
  const v = t.values[acc.idx]!.value;
  // A 32-bit enumerator is an s32 in the kernel's struct btf_enum: sign-extended.
  return BigInt.asUintN(64, t.kind === "enum" ? BigInt.asIntN(32, v) : v);
}

/** bpf_core_calc_relo: local and target values; `target` undefined when no candidate matched. */
export function calcRelo(local: CoreSpec, target: CoreSpec | undefined): CoreResult {
  const res: CoreResult = {
    poison: false,
    origVal: 0n,
    newVal: 0n,
    origSize: 0,
    newSize: 0,
    validate: true,
    failMemSizeAdjust: false,
  };
  const kind = local.kind;
  if (isFieldKind(kind)) {
    const o = fieldValue(kind, local);
    const n = fieldValue(kind, target);
    if (!o || !n) return { ...res, poison: true };
    Object.assign(res, { origVal: o.val, origSize: o.size, validate: o.validate });
    Object.assign(res, { newVal: n.val, newSize: n.size });
    if (o.size !== n.size) {
      const ot = local.types[o.typeId];
      const nt = target!.types[n.typeId];
      const bothPtr = ot?.kind === "ptr" && nt?.kind === "ptr";
      const bothUnsigned =
        ot?.kind === "int" && nt?.kind === "int" && !(ot.encoding & 1) && !(nt.encoding & 1);
      res.failMemSizeAdjust = !bothPtr && !bothUnsigned;
    }
  } else if (isTypeKind(kind)) {
    res.origVal = typeValue(kind, local);
    res.newVal = typeValue(kind, target);
    res.validate = kind !== CoreKind.TYPE_ID_TARGET;
  } else {
    const o = enumValue(kind, local);
    const n = enumValue(kind, target);
    if (o === undefined || n === undefined) return { ...res, poison: true };
    res.origVal = o;
    res.newVal = n;
  }
  return res;
}
