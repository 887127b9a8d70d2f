// The reader's public entry: `readObject(bytes)` turns a BPF relocatable
// object (ours or clang's) into programs, maps, global data, license and
// BTF, the view the runtime loads. Everything malformed becomes an
// ElfError, including bad `.BTF`/`.BTF.ext` (wrapped, with the BtfError as
// cause), so callers need to catch one type only.

import { type BtfExt, parseBtfExt } from "../btf/ext.js";
import { type ParsedBtf, parseBtf } from "../btf/parser.js";
import { type ParsedMapDefinition, parseMapDefinition } from "../btf/shapes.js";
import { BtfError, type BtfDatasec } from "../btf/types.js";
import { ElfError, SHF_ALLOC, SHN_UNDEF, SectionType, SymbolType } from "./constants.js";
import { type BpfProgram, readPrograms } from "./programs.js";
import { type ElfFile, type ElfSection, readElf } from "./reader.js";

export interface BpfMap {
  name: string;
  /** BPF_MAP_TYPE_* number. */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  /** 0 none, 1 by name. */
  pinning: number;
  numaNode?: number;
  mapExtra?: number;
  /** BTF ids of the key and value types, when given as types. */
  keyType?: number;
  valueType?: number;
  /** The inner map of a map-in-map. */
  inner?: BpfMap;
  /** Offset and size of the definition in `.maps`. */
  offset: number;
  size: number;
}

export interface GlobalVariable {
  name: string;
  offset: number;
  size: number;
  /** BTF type id, from the section's DATASEC. */
  type?: number;
}

export interface GlobalSection {
  /** `.bss`, `.data`, `.rodata` or one of their `.name.suffix` forms. */
  name: string;
  size: number;
  /** Initial contents (zeros for `.bss`). */
  data: Uint8Array;
  readonly: boolean;
  variables: GlobalVariable[];
}

export interface BpfObject {
  elf: ElfFile;
  license?: string;
  programs: BpfProgram[];
  maps: BpfMap[];
  globals: GlobalSection[];
  /** Names of undefined symbols the code calls or loads (kfuncs, ksyms). */
  externs: string[];
  btf?: ParsedBtf;
  btfExt?: BtfExt;
}

/** Above the 4 MiB array map value the kernel accepts (KMALLOC_MAX_SIZE); guards against absurd NOBITS sizes. */
const MAX_BSS = 1 << 24;
const DATA_SECTION = /^\.(bss|data|rodata)(\..+)?$/;

export function readObject(bytes: Uint8Array): BpfObject {
  const elf = readElf(bytes);
  const btf = wrapBtf(".BTF", () => {
    const s = elf.section(".BTF");
    return s ? parseBtf(s.data) : undefined;
  });
  const btfExt = wrapBtf(".BTF.ext", () => {
    const s = elf.section(".BTF.ext");
    if (!s) return undefined;
    if (!btf) throw new BtfError(".BTF.ext without .BTF");
    return parseBtfExt(s.data, btf.string);
  });
  const license = elf.section("license");
  return {
    elf,
    license: license ? new TextDecoder().decode(license.data).split("\0")[0] : undefined,
    programs: readPrograms(elf, btfExt),
    maps: wrapBtf(".maps", () => readMaps(elf, btf)),
    globals: readGlobals(elf, btf),
    externs: elf.symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== "").map((s) => s.name),
    btf,
    btfExt,
  };
}

function wrapBtf<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BtfError) throw new ElfError(`${what}: ${e.message}`, { cause: e });
    throw e;
  }
}

function datasec(btf: ParsedBtf | undefined, name: string): BtfDatasec | undefined {
  return btf?.types.find((t): t is BtfDatasec => t?.kind === "datasec" && t.name === name);
}

function readMaps(elf: ElfFile, btf: ParsedBtf | undefined): BpfMap[] {
  const sec = elf.section(".maps");
  if (!sec) return [];
  const ds = datasec(btf, ".maps");
  if (!btf || !ds)
    throw new ElfError("`.maps` needs a .BTF DATASEC named .maps to describe its maps");
  return ds.vars.map((entry) => {
    const v = btf.types[entry.type];
    if (v?.kind !== "var") throw new ElfError(`.maps DATASEC entry ${entry.type} is not a VAR`);
    const sym = elf.symbols.find((s) => s.shndx === sec.index && s.name === v.name);
    if (!sym) throw new ElfError(`map '${v.name}' has no symbol in .maps`);
    return toMap(v.name, parseMapDefinition(btf.types, v.type), sym.value, sym.size, btf);
  });
}

function toMap(
  name: string,
  d: ParsedMapDefinition,
  offset: number,
  size: number,
  btf: ParsedBtf,
): BpfMap {
  const n = d.numbers;
  const map: BpfMap = {
    name,
    type: n.type ?? 0,
    keySize: d.keySize ?? 0,
    valueSize: d.valueSize ?? 0,
    maxEntries: n.max_entries ?? 0,
    flags: n.map_flags ?? 0,
    pinning: n.pinning ?? 0,
    offset,
    size,
  };
  if (n.numa_node !== undefined) map.numaNode = n.numa_node;
  if (n.map_extra !== undefined) map.mapExtra = n.map_extra;
  if (d.keyType !== undefined) map.keyType = d.keyType;
  if (d.valueType !== undefined) map.valueType = d.valueType;
  if (d.innerMap !== undefined) {
    // libbpf: the outer map's value is the inner map's fd (4 bytes).
    map.inner = toMap(`${name}.inner`, parseMapDefinition(btf.types, d.innerMap), 0, 0, btf);
    map.valueSize = 4;
  }
  return map;
}

function readGlobals(elf: ElfFile, btf: ParsedBtf | undefined): GlobalSection[] {
  return elf.sections
    .filter((s) => DATA_SECTION.test(s.name) && s.flags & SHF_ALLOC)
    .map((s: ElfSection) => {
      const ds = datasec(btf, s.name);
      const variables = elf.symbols
        .filter((sym) => sym.shndx === s.index && sym.type === SymbolType.OBJECT)
        .map((sym) => {
          const v: GlobalVariable = { name: sym.name, offset: sym.value, size: sym.size };
          const entry = ds?.vars.find((e) => btf?.types[e.type]?.name === sym.name);
          const vt = entry ? btf?.types[entry.type] : undefined;
          if (vt?.kind === "var") v.type = vt.type;
          return v;
        });
      const bss = s.type === SectionType.NOBITS;
      if (bss && s.size > MAX_BSS)
        throw new ElfError(`${s.name} is ${s.size} bytes, over ${MAX_BSS}`);
      return {
        name: s.name,
        size: s.size,
        data: bss ? new Uint8Array(s.size) : s.data,
        readonly: s.name.startsWith(".rodata"),
        variables,
      };
    });
}
