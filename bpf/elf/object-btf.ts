// The writer's BTF: turns the TypeRefs and signatures of an ObjectSpec into
// types in a BtfBuilder — FUNC + FUNC_PROTO per function, a VAR and map
// definition struct per map, VARs and DATASECs for global data, extern FUNCs
// in a `.ksyms` DATASEC for kfuncs.

import type { BtfBuilder } from "../btf/builder.js";
import { kfuncExtern, mapDefinition } from "../btf/shapes.js";
import { typeSize } from "../btf/resolve.js";
import { IntEncoding, Linkage } from "../btf/types.js";
import { ElfError } from "./constants.js";
import type { FunctionSignature, KfuncSpec, MapSpec, ParamSpec, TypeRef } from "./object-spec.js";

const UNSIGNED_NAMES: Record<number, string> = {
  1: "unsigned char",
  2: "unsigned short",
  4: "unsigned int",
  8: "unsigned long long",
};

/** The BTF id a TypeRef stands for. */
export function resolveType(b: BtfBuilder, ref: TypeRef): number {
  if (ref === "void") return 0;
  if (ref === "void *") return b.ptr(0);
  if (typeof ref === "function") return ref(b);
  if (!Number.isInteger(ref) || ref <= 0)
    throw new ElfError(`type size ${ref} is not a positive integer`);
  const name = UNSIGNED_NAMES[ref];
  if (name) return b.int(name, ref);
  return b.array(b.int("unsigned char", 1), ref);
}

/** Byte size of a resolved type. */
export function sizeOf(b: BtfBuilder, id: number): number {
  return typeSize(b.list(), id);
}

function params(b: BtfBuilder, list: ParamSpec[], owner: string) {
  return list.map((p, i) => {
    if (!p.name) throw new ElfError(`${owner}: parameter ${i} has no name (the kernel needs one)`);
    return { name: p.name, type: resolveType(b, p.type) };
  });
}

/** FUNC + FUNC_PROTO for a program or subprogram; returns the FUNC id. */
export function funcType(
  b: BtfBuilder,
  name: string,
  sig: FunctionSignature,
  linkage: Linkage,
  defaultParams: ParamSpec[],
): number {
  const ret = resolveType(b, sig.ret ?? ((bb) => bb.int("int", 4, IntEncoding.SIGNED)));
  const proto = b.funcProto(ret, params(b, sig.params ?? defaultParams, name));
  return b.func(name, proto, linkage);
}

/** The definition struct of a map (and its inner map); returns the struct id. */
export function mapStruct(b: BtfBuilder, m: Omit<MapSpec, "name">): number {
  const kv = (ref: TypeRef | undefined, size: number | undefined) =>
    ref !== undefined ? { type: resolveType(b, ref) } : size !== undefined ? { size } : undefined;
  const def: Parameters<typeof mapDefinition>[1] = { type: m.type, maxEntries: m.maxEntries };
  if (m.flags) def.flags = m.flags;
  if (m.pinning) def.pinning = m.pinning;
  if (m.numaNode !== undefined) def.numaNode = m.numaNode;
  if (m.mapExtra !== undefined) def.mapExtra = m.mapExtra;
  const key = kv(m.key, m.keySize);
  const value = kv(m.value, m.valueSize);
  if (key) def.key = key;
  if (value) def.value = value;
  if (m.innerMap) def.innerMap = mapStruct(b, m.innerMap);
  return mapDefinition(b, def);
}

/** Extern FUNCs for kfuncs, listed in a `.ksyms` DATASEC (as clang does: offsets and sizes 0). */
export function ksyms(b: BtfBuilder, kfuncs: readonly KfuncSpec[]): void {
  if (kfuncs.length === 0) return;
  const ids = kfuncs.map((k) =>
    kfuncExtern(b, k.name, resolveType(b, k.ret ?? "void"), params(b, k.params, k.name)),
  );
  b.datasec(
    ".ksyms",
    0,
    ids.map((type) => ({ type, offset: 0, size: 0 })),
  );
}
