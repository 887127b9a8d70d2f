// The ELF layer of the writer: sections, symbols and relocations in, an
// ELF64 LE EM_BPF REL file out. Symbols are handles until `encode`, which
// puts every LOCAL symbol before the GLOBAL ones (as ELF requires, with
// `.symtab`'s sh_info = first non-local index), then appends `.rel<name>`,
// `.symtab`, `.strtab` and `.shstrtab`. Knows nothing of programs or maps
// (see object-writer.ts). Output depends only on the calls made.
//
// File layout: ELF header | section contents (each aligned) | section headers.

import { StringTable } from "../btf/strings.js";
import {
  EHDR_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  ElfError,
  REL_SIZE,
  SHDR_SIZE,
  SHF_INFO_LINK,
  SYM_SIZE,
  SectionType,
  SymbolBind,
  SymbolType,
} from "./constants.js";

export interface SectionSpec {
  name: string;
  type: SectionType;
  flags: number;
  /** Contents; for NOBITS give `size` instead. */
  data?: Uint8Array;
  size?: number;
  align: number;
  entsize?: number;
  link?: number;
  info?: number;
}

export interface SymbolSpec {
  name: string;
  type: SymbolType;
  bind: SymbolBind;
  /** Section index (0 = undefined). */
  shndx: number;
  value?: number;
  size?: number;
}

/** A symbol handle; its index is known only after `encode` sorts the table. */
export type SymbolRef = { readonly spec: SymbolSpec };

interface PendingReloc {
  offset: number;
  type: number;
  symbol: SymbolRef;
}

export class ElfWriter {
  private readonly sections: SectionSpec[] = [];
  private readonly symbols: SymbolRef[] = [];
  private readonly relocs = new Map<number, PendingReloc[]>();

  /** Add a section; returns its index (the first is 1). */
  addSection(spec: SectionSpec): number {
    this.sections.push(spec);
    return this.sections.length;
  }

  /** Set (or replace) the contents of section `index`. */
  setData(index: number, data: Uint8Array): void {
    const s = this.sections[index - 1];
    if (!s) throw new ElfError(`section ${index} does not exist`);
    s.data = data;
  }

  addSymbol(spec: SymbolSpec): SymbolRef {
    const ref = { spec };
    this.symbols.push(ref);
    return ref;
  }

  /** Record a relocation of `type` at byte `offset` of section `shndx`. */
  relocate(shndx: number, offset: number, type: number, symbol: SymbolRef): void {
    const list = this.relocs.get(shndx) ?? [];
    list.push({ offset, type, symbol });
    this.relocs.set(shndx, list);
  }

  encode(): Uint8Array {
    const sections = [...this.sections];
    const ordered = [
      ...this.symbols.filter((s) => s.spec.bind === SymbolBind.LOCAL),
      ...this.symbols.filter((s) => s.spec.bind !== SymbolBind.LOCAL),
    ];
    const index = new Map(ordered.map((s, i) => [s, i + 1]));
    const firstGlobal = 1 + ordered.filter((s) => s.spec.bind === SymbolBind.LOCAL).length;
    const symtabIndex = sections.length + this.relocs.size + 1;

    for (const [shndx, list] of [...this.relocs].sort((a, b) => a[0] - b[0])) {
      const data = new Uint8Array(list.length * REL_SIZE);
      const v = new DataView(data.buffer);
      [...list]
        .sort((a, b) => a.offset - b.offset)
        .forEach((r, i) => {
          const sym = index.get(r.symbol);
          if (sym === undefined) throw new ElfError(`relocation against a symbol not in this file`);
          v.setBigUint64(i * REL_SIZE, BigInt(r.offset), true);
          v.setBigUint64(i * REL_SIZE + 8, (BigInt(sym) << 32n) | BigInt(r.type), true);
        });
      const target = sections[shndx - 1];
      if (!target) throw new ElfError(`relocations for section ${shndx}, which does not exist`);
      sections.push({
        name: `.rel${target.name}`,
        type: SectionType.REL,
        flags: SHF_INFO_LINK,
        data,
        align: 8,
        entsize: REL_SIZE,
        link: symtabIndex,
        info: shndx,
      });
    }

    const strtab = new StringTable();
    const symData = new Uint8Array((ordered.length + 1) * SYM_SIZE);
    const sv = new DataView(symData.buffer);
    ordered.forEach((ref, i) => {
      const s = ref.spec;
      const at = (i + 1) * SYM_SIZE;
      sv.setUint32(at, s.name === "" ? 0 : strtab.add(s.name), true);
      sv.setUint8(at + 4, (s.bind << 4) | s.type);
      sv.setUint16(at + 6, s.shndx, true);
      sv.setBigUint64(at + 8, BigInt(s.value ?? 0), true);
      sv.setBigUint64(at + 16, BigInt(s.size ?? 0), true);
    });
    sections.push({
      name: ".symtab",
      type: SectionType.SYMTAB,
      flags: 0,
      data: symData,
      align: 8,
      entsize: SYM_SIZE,
      link: symtabIndex + 1,
      info: firstGlobal,
    });
    sections.push({
      name: ".strtab",
      type: SectionType.STRTAB,
      flags: 0,
      data: strtab.encode(),
      align: 1,
    });
    const shstrtab = new StringTable();
    for (const s of sections) shstrtab.add(s.name);
    shstrtab.add(".shstrtab");
    sections.push({
      name: ".shstrtab",
      type: SectionType.STRTAB,
      flags: 0,
      data: new Uint8Array(0), // filled below, after every name is in the table
      align: 1,
    });
    sections[sections.length - 1]!.data = shstrtab.encode();
    return layout(sections, shstrtab);
  }
}

function align(n: number, a: number): number {
  return a > 1 ? Math.ceil(n / a) * a : n;
}

function layout(sections: SectionSpec[], names: StringTable): Uint8Array {
  let at = EHDR_SIZE;
  const offsets = sections.map((s) => {
    at = align(at, s.align);
    const off = at;
    if (s.type !== SectionType.NOBITS) at += s.data?.length ?? 0;
    return off;
  });
  const shoff = align(at, 8);
  const shnum = sections.length + 1;
  const out = new Uint8Array(shoff + shnum * SHDR_SIZE);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS64, ELFDATA2LSB, 1]);
  v.setUint16(16, ET_REL, true);
  v.setUint16(18, EM_BPF, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(58, SHDR_SIZE, true);
  v.setUint16(60, shnum, true);
  v.setUint16(62, shnum - 1, true); // .shstrtab is last
  sections.forEach((s, i) => {
    const size = s.type === SectionType.NOBITS ? (s.size ?? 0) : (s.data?.length ?? 0);
    if (s.data && s.type !== SectionType.NOBITS) out.set(s.data, offsets[i]!);
    const h = shoff + (i + 1) * SHDR_SIZE;
    v.setUint32(h, names.add(s.name), true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[i]!), true);
    v.setBigUint64(h + 32, BigInt(size), true);
    v.setUint32(h + 40, s.link ?? 0, true);
    v.setUint32(h + 44, s.info ?? 0, true);
    v.setBigUint64(h + 48, BigInt(s.align), true);
    v.setBigUint64(h + 56, BigInt(s.entsize ?? 0), true);
  });
  return out;
}
