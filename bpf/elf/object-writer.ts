// `writeObject(spec)`: an ObjectSpec (object-spec.ts) in, the bytes of an
// ELF object that Debian's ip (libbpf 1.1.2) and bpftool load out.
// Section order: `.text`, program sections (first-use order), `.maps`,
// `.data`, `.rodata`, `.bss`, `license`, `.BTF`, `.BTF.ext`, then the
// `.rel*` and symbol/string tables ElfWriter adds. Relocation conventions
// (OBJECT-FORMAT.md):
//   map / global lddw  R_BPF_64_64 against the GLOBAL OBJECT symbol, imm kept
//   static call        R_BPF_64_32 against `.text`'s section symbol, imm = callee/8 - 1
//   global call        R_BPF_64_32 against the callee's FUNC symbol, imm = -1
//   function address   R_BPF_64_64, static: section symbol, imm = callee byte offset
//   kfunc call         R_BPF_64_32 against an undefined GLOBAL NOTYPE symbol, imm = -1
// Deterministic: the output depends only on the spec.

import { BtfBuilder } from "../btf/builder.js";
import {
  type ExtSection,
  type FuncInfoRecord,
  type LineInfoRecord,
  encodeBtfExt,
} from "../btf/ext.js";
import { type BtfType, Linkage } from "../btf/types.js";
import { type Instruction, encode, resolveLabels, slotOffsets, SLOT_BYTES } from "../isa/index.js";
import {
  ElfError,
  RelocType,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SectionType,
  SymbolBind,
  SymbolType,
} from "./constants.js";
import { hasSource, lineRecords } from "./line-info.js";
import { funcType, ksyms, mapStruct, resolveType, sizeOf } from "./object-btf.js";
import type { ObjectSpec, ParamSpec } from "./object-spec.js";
import { ElfWriter, type SymbolRef } from "./writer.js";

interface Fn {
  name: string;
  section: string;
  insns: Instruction[];
  global: boolean;
  btfFunc: number;
  offset: number;
  symbol?: SymbolRef;
}

/**
 * The default `ctx` parameter of an entry program: a pointer to the context
 * struct the kernel expects for the section's program type (by name only;
 * an empty struct is enough), so the verifier recognizes it as the context.
 */
function ctxParam(section: string): ParamSpec[] {
  const name = section.startsWith("xdp") ? "xdp_md" : "__sk_buff";
  const struct: BtfType = { kind: "struct", name, size: 0, members: [] };
  return [{ name: "ctx", type: (b) => b.ptr(b.intern(struct)) }];
}
const DATA_SECTION = /^\.(bss|data|rodata)(\..+)?$/;

export function writeObject(spec: ObjectSpec): Uint8Array {
  const b = spec.btf ?? new BtfBuilder();
  const w = new ElfWriter();
  checkUnique(spec);

  // Functions: copies with labels resolved, laid out per section.
  const fns: Fn[] = [];
  for (const s of spec.subprograms ?? []) {
    const linkage = s.global ? Linkage.GLOBAL : Linkage.STATIC;
    const btfFunc = funcType(b, s.name, s, linkage, []);
    fns.push({
      name: s.name,
      section: ".text",
      insns: prepare(s.insns, s.name),
      global: !!s.global,
      btfFunc,
      offset: 0,
    });
  }
  for (const p of spec.programs) {
    if (p.section === ".text")
      throw new ElfError(`program ${p.name}: entry programs cannot live in .text`);
    const btfFunc = funcType(b, p.name, p, Linkage.GLOBAL, ctxParam(p.section));
    fns.push({
      name: p.name,
      section: p.section,
      insns: prepare(p.insns, p.name),
      global: true,
      btfFunc,
      offset: 0,
    });
  }
  const codeSections = [...new Set(fns.map((f) => f.section))];
  for (const sec of codeSections) {
    let at = 0;
    for (const f of fns.filter((f) => f.section === sec)) {
      f.offset = at;
      at += slotOffsets(f.insns).total * SLOT_BYTES;
      if (at === f.offset) throw new ElfError(`function ${f.name} has no instructions`);
    }
  }
  const shndx = new Map<string, number>();
  for (const sec of codeSections) {
    // Contents are set after relocation patching, below.
    const flags = SHF_ALLOC | SHF_EXECINSTR;
    shndx.set(sec, w.addSection({ name: sec, type: SectionType.PROGBITS, flags, align: 8 }));
  }
  for (const f of fns) {
    f.symbol = w.addSymbol({
      name: f.name,
      type: SymbolType.FUNC,
      bind: f.global ? SymbolBind.GLOBAL : SymbolBind.LOCAL,
      shndx: shndx.get(f.section)!,
      value: f.offset,
      size: slotOffsets(f.insns).total * SLOT_BYTES,
    });
  }

  const dataSymbols = new Map<string, SymbolRef>();
  writeMaps(spec, b, w, dataSymbols);
  const sectionSymbols = writeGlobals(spec, b, w, dataSymbols);
  const license = new TextEncoder().encode(spec.license + "\0");
  const licIdx = w.addSection({
    name: "license",
    type: SectionType.PROGBITS,
    flags: SHF_ALLOC | SHF_WRITE,
    data: license,
    align: 1,
  });
  w.addSymbol({
    name: "LICENSE",
    type: SymbolType.OBJECT,
    bind: SymbolBind.GLOBAL,
    shndx: licIdx,
    size: license.length,
  });

  const kfuncSymbols = new Map<string, SymbolRef>();
  for (const k of spec.kfuncs ?? []) {
    kfuncSymbols.set(
      k.name,
      w.addSymbol({ name: k.name, type: SymbolType.NOTYPE, bind: SymbolBind.GLOBAL, shndx: 0 }),
    );
  }
  ksyms(b, spec.kfuncs ?? []);

  let textSym: SymbolRef | undefined;
  const textSymbol = () =>
    (textSym ??= w.addSymbol({
      name: "",
      type: SymbolType.SECTION,
      bind: SymbolBind.LOCAL,
      shndx: shndx.get(".text")!,
    }));
  const byName = new Map(fns.map((f) => [f.name, f]));
  for (const f of fns) {
    const { offsets } = slotOffsets(f.insns);
    f.insns.forEach((insn, i) => {
      if (!insn.reloc) return;
      const at = f.offset + offsets[i]! * SLOT_BYTES;
      const where = `${f.name}, instruction ${i}`;
      const { kind, symbol } = insn.reloc;
      const sec = shndx.get(f.section)!;
      if (kind === "map" || kind === "data") {
        const sym =
          dataSymbols.get(symbol) ?? (kind === "data" ? sectionSymbols.get(symbol) : undefined);
        if (!sym)
          throw new ElfError(`${where}: no ${kind === "map" ? "map" : "global"} named '${symbol}'`);
        w.relocate(sec, at, RelocType.R_BPF_64_64, sym);
      } else if (kind === "kfunc") {
        const sym = kfuncSymbols.get(symbol);
        if (!sym) throw new ElfError(`${where}: kfunc '${symbol}' is not declared in kfuncs`);
        insn.imm = -1;
        w.relocate(sec, at, RelocType.R_BPF_64_32, sym);
      } else {
        const callee = byName.get(symbol);
        if (!callee || callee.section !== ".text") {
          throw new ElfError(`${where}: '${symbol}' is not a subprogram (callees live in .text)`);
        }
        const call = kind === "call";
        const type = call ? RelocType.R_BPF_64_32 : RelocType.R_BPF_64_64;
        if (callee.global) {
          insn.imm = call ? -1 : 0;
          w.relocate(sec, at, type, callee.symbol!);
        } else {
          insn.imm = call ? callee.offset / SLOT_BYTES - 1 : callee.offset;
          w.relocate(sec, at, type, textSymbol());
        }
        if (!call) insn.imm64 = BigInt(insn.imm >>> 0);
      }
    });
  }
  for (const sec of codeSections) {
    const parts = fns.filter((f) => f.section === sec).map((f) => encode(f.insns));
    w.setData(shndx.get(sec)!, concat(parts));
  }

  // .BTF.ext first: its strings must be in the table before .BTF is encoded.
  const funcInfo: ExtSection<FuncInfoRecord>[] = [];
  const lineInfo: ExtSection<LineInfoRecord>[] = [];
  const withLines = hasSource(fns);
  const anyFile = fns.flatMap((f) => f.insns).find((i) => i.source)?.source?.file ?? "";
  for (const sec of codeSections) {
    const list = fns.filter((f) => f.section === sec);
    funcInfo.push({
      section: sec,
      records: list.map((f) => ({ insnOff: f.offset, typeId: f.btfFunc })),
    });
    if (withLines) lineInfo.push({ section: sec, records: lineRecords(list, anyFile) });
  }
  const ext = encodeBtfExt({ funcInfo, lineInfo }, b.strings);
  w.addSection({ name: ".BTF", type: SectionType.PROGBITS, flags: 0, data: b.encode(), align: 4 });
  if (ext)
    w.addSection({ name: ".BTF.ext", type: SectionType.PROGBITS, flags: 0, data: ext, align: 4 });
  return w.encode();
}

function prepare(insns: readonly Instruction[], name: string): Instruction[] {
  const copy = insns.map((i) => ({ ...i }));
  try {
    resolveLabels(copy);
  } catch (e) {
    throw new ElfError(`${name}: ${(e as Error).message}`, { cause: e });
  }
  return copy;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function checkUnique(spec: ObjectSpec): void {
  const seen = new Set<string>();
  const names = [
    ...spec.programs.map((p) => p.name),
    ...(spec.subprograms ?? []).map((s) => s.name),
    ...(spec.maps ?? []).map((m) => m.name),
    ...(spec.globals ?? []).map((g) => g.name),
    ...(spec.kfuncs ?? []).map((k) => k.name),
  ];
  for (const n of names) {
    if (seen.has(n)) throw new ElfError(`the name '${n}' is used twice (symbols must be unique)`);
    seen.add(n);
  }
}

function writeMaps(
  spec: ObjectSpec,
  b: BtfBuilder,
  w: ElfWriter,
  symbols: Map<string, SymbolRef>,
): void {
  const maps = spec.maps ?? [];
  if (maps.length === 0) return;
  let at = 0;
  const placed = maps.map((m) => {
    const struct = mapStruct(b, m);
    const size = sizeOf(b, struct);
    const entry = { name: m.name, struct, offset: at, size };
    at += size;
    return entry;
  });
  const idx = w.addSection({
    name: ".maps",
    type: SectionType.PROGBITS,
    flags: SHF_ALLOC | SHF_WRITE,
    data: new Uint8Array(at),
    align: 8,
  });
  const vars = placed.map((p) => {
    symbols.set(
      p.name,
      w.addSymbol({
        name: p.name,
        type: SymbolType.OBJECT,
        bind: SymbolBind.GLOBAL,
        shndx: idx,
        value: p.offset,
        size: p.size,
      }),
    );
    return { type: b.variable(p.name, p.struct, Linkage.GLOBAL), offset: p.offset, size: p.size };
  });
  b.datasec(".maps", at, vars);
}

/** `.data`/`.rodata`/`.bss` with their VARs and DATASECs; returns their section symbols. */
function writeGlobals(
  spec: ObjectSpec,
  b: BtfBuilder,
  w: ElfWriter,
  symbols: Map<string, SymbolRef>,
) {
  const sectionSymbols = new Map<string, SymbolRef>();
  const names = [...new Set((spec.globals ?? []).map((g) => g.section))];
  for (const name of names) {
    if (!DATA_SECTION.test(name))
      throw new ElfError(`global data section '${name}' is not .bss/.data/.rodata[.*]`);
    const list = (spec.globals ?? []).filter((g) => g.section === name);
    let at = 0;
    const placed = list.map((g) => {
      const type = resolveType(b, g.type);
      const size = sizeOf(b, type);
      if (g.offset !== undefined && g.offset < at)
        throw new ElfError(`global ${g.name}: offset ${g.offset} overlaps the variable before it`);
      at = g.offset ?? Math.ceil(at / naturalAlign(size)) * naturalAlign(size);
      const p = { g, type, offset: at, size };
      at += size;
      return p;
    });
    const data = new Uint8Array(at);
    const bss = name.startsWith(".bss");
    for (const p of placed) {
      if (!p.g.init) continue;
      if (bss) throw new ElfError(`global ${p.g.name}: .bss variables start as zeros; use .data`);
      if (p.g.init.length > p.size)
        throw new ElfError(`global ${p.g.name}: init is longer than its type`);
      data.set(p.g.init, p.offset);
    }
    const flags = name.startsWith(".rodata") ? SHF_ALLOC : SHF_ALLOC | SHF_WRITE;
    const idx = w.addSection(
      bss
        ? { name, type: SectionType.NOBITS, flags, size: at, align: 8 }
        : { name, type: SectionType.PROGBITS, flags, data, align: 8 },
    );
    sectionSymbols.set(
      name,
      w.addSymbol({ name: "", type: SymbolType.SECTION, bind: SymbolBind.LOCAL, shndx: idx }),
    );
    const vars = placed.map((p) => {
      symbols.set(
        p.g.name,
        w.addSymbol({
          name: p.g.name,
          type: SymbolType.OBJECT,
          bind: SymbolBind.GLOBAL,
          shndx: idx,
          value: p.offset,
          size: p.size,
        }),
      );
      return { type: b.variable(p.g.name, p.type, Linkage.GLOBAL), offset: p.offset, size: p.size };
    });
    b.datasec(name, at, vars);
  }
  return sectionSymbols;
}

function naturalAlign(size: number): number {
  return size >= 8 ? 8 : size >= 4 ? 4 : size >= 2 ? 2 : 1;
}
