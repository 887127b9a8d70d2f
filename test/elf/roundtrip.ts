// Turns what readObject found in an object (clang's, typically) back into an
// ObjectSpec for writeObject: programs and subprograms with their BTF
// signatures, maps, global data at their original offsets, and kfuncs. The
// round-trip tests load the result in the kernel and compare it with the
// original. Test-only: it is the reader and writer agreeing, not an API.

import { BtfBuilder, type BtfTypeList, importType } from "../../bpf/btf/index.js";
import type {
  BpfMap,
  BpfObject,
  BpfProgram,
  FunctionSignature,
  GlobalSectionName,
  GlobalSpec,
  MapSpec,
  ObjectSpec,
  TypeRef,
} from "../../bpf/elf/index.js";

export function specFromObject(obj: BpfObject): ObjectSpec {
  const types: BtfTypeList = obj.btf?.types ?? [undefined];
  const btf = new BtfBuilder();
  const memo = new Map<number, number>();
  const imp =
    (id: number): TypeRef =>
    (b) =>
      importType(b, types, id, memo);
  const ret = (id: number): TypeRef => (id === 0 ? "void" : imp(id));

  const signature = (p: BpfProgram): FunctionSignature => {
    const f = p.btfFunc !== undefined ? types[p.btfFunc] : undefined;
    const proto = f?.kind === "func" ? types[f.type] : undefined;
    if (proto?.kind !== "func_proto") return {};
    return {
      ret: ret(proto.returnType),
      params: proto.params.map((q, i) => ({ name: q.name || `arg${i}`, type: imp(q.type) })),
    };
  };

  const map = (m: BpfMap): Omit<MapSpec, "name" | "innerMap"> => {
    const out: Omit<MapSpec, "name" | "innerMap"> = {
      type: m.type,
      maxEntries: m.maxEntries,
      flags: m.flags,
      pinning: m.pinning,
    };
    if (m.keyType !== undefined) out.key = imp(m.keyType);
    else if (m.keySize) out.keySize = m.keySize;
    if (m.inner) return out; // libbpf fills the outer value size
    if (m.valueType !== undefined) out.value = imp(m.valueType);
    else if (m.valueSize) out.valueSize = m.valueSize;
    return out;
  };

  const globals: GlobalSpec[] = [];
  for (const sec of obj.globals) {
    const section = sec.name as GlobalSectionName;
    const bss = section.startsWith(".bss");
    const vars = sec.variables.length
      ? sec.variables
      : [{ name: `__${sec.name.replace(/\W/g, "_")}`, offset: 0, size: sec.size }];
    for (const v of [...vars].sort((a, b) => a.offset - b.offset)) {
      const g: GlobalSpec = {
        name: v.name,
        section,
        offset: v.offset,
        type: "type" in v && v.type !== undefined ? imp(v.type) : v.size,
      };
      if (!bss) g.init = sec.data.slice(v.offset, v.offset + v.size);
      globals.push(g);
    }
  }

  const kfuncs = obj.externs.flatMap((name) => {
    const f = types.find((t) => t?.kind === "func" && t.name === name);
    const proto = f?.kind === "func" ? types[f.type] : undefined;
    if (proto?.kind !== "func_proto") return [];
    const params = proto.params.map((q, i) => ({ name: q.name || `arg${i}`, type: imp(q.type) }));
    return [{ name, ret: ret(proto.returnType), params }];
  });

  return {
    license: obj.license ?? "",
    btf,
    programs: obj.programs
      .filter((p) => !p.subprogram)
      .map((p) => ({ name: p.name, section: p.section, insns: p.insns, ...signature(p) })),
    subprograms: obj.programs
      .filter((p) => p.subprogram)
      .map((p) => ({ name: p.name, insns: p.insns, global: p.global, ...signature(p) })),
    maps: obj.maps.map((m) => ({
      name: m.name,
      ...map(m),
      ...(m.inner ? { innerMap: map(m.inner) } : {}),
    })),
    globals,
    kfuncs,
  };
}
