// The ELF layer of the reader: header, section headers, symbols and
// relocations of an ELF64 little-endian EM_BPF REL object, every offset and
// index checked against the input. Knows nothing of programs or maps (see
// object-reader.ts). Any malformed input gives an ElfError.

import { readCString } from "../btf/strings.js";
import {
  EHDR_SIZE,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  ElfError,
  REL_SIZE,
  SHDR_SIZE,
  SHN_UNDEF,
  SYM_SIZE,
  SectionType,
  SymbolBind,
  SymbolType,
} from "./constants.js";

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
  /** The section's bytes (empty for NOBITS). */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  /** As in the string table; empty for section symbols (see `sectionName`). */
  name: string;
  value: number;
  size: number;
  type: SymbolType | number;
  bind: SymbolBind | number;
  other: number;
  shndx: number;
  /** Name of the section `shndx` points at, when it is a real section. */
  sectionName?: string;
}

export interface ElfRelocation {
  offset: number;
  type: number;
  symbolIndex: number;
  symbol: ElfSymbol;
}

export interface ElfFile {
  type: number;
  machine: number;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** Relocations by the name of the section they patch (`xdp` for `.relxdp`). */
  relocations: Map<string, ElfRelocation[]>;
  section(name: string): ElfSection | undefined;
}

/** A bounds-checked view: reading past the end is an ElfError, not a RangeError. */
class Bytes {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(at: number, len: number, what: string): void {
    if (at < 0 || len < 0 || at + len > this.bytes.length) {
      throw new ElfError(
        `${what} at offset ${at} (length ${len}) runs past the end of the ${this.bytes.length}-byte file`,
      );
    }
  }
  u8 = (at: number) => this.view.getUint8(at);
  u16 = (at: number) => this.view.getUint16(at, true);
  u32 = (at: number) => this.view.getUint32(at, true);
  /** A u64 that must fit a JS number (offsets and sizes do in any real file). */
  u64(at: number, what: string): number {
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ElfError(`${what} 0x${v.toString(16)} is too large`);
    return Number(v);
  }
}

export function readElf(input: Uint8Array): ElfFile {
  const b = new Bytes(input);
  checkHeader(b);
  const shoff = b.u64(40, "e_shoff");
  const shentsize = b.u16(58);
  const shnum = b.u16(60);
  const shstrndx = b.u16(62);
  if (shnum === 0) throw new ElfError("the object has no section headers (e_shnum 0)");
  if (shentsize !== SHDR_SIZE) throw new ElfError(`e_shentsize is ${shentsize}, expected 64`);
  b.check(shoff, shnum * SHDR_SIZE, "section header table");
  if (shstrndx >= shnum) throw new ElfError(`e_shstrndx ${shstrndx} is not below e_shnum ${shnum}`);

  const nameOffs: number[] = [];
  const sections = readSectionHeaders(b, shoff, shnum, nameOffs);
  const shstr = sections[shstrndx]!;
  if (shstr.type !== SectionType.STRTAB) {
    throw new ElfError(`section ${shstrndx} (e_shstrndx) is not a string table`);
  }
  for (const s of sections) {
    s.name = readCString(shstr.data, nameOffs[s.index]!, (m) =>
      err(`section ${s.index} name: ${m}`),
    );
  }
  const symbols = readSymbols(b, sections);
  const relocations = readRelocations(b, sections, symbols);
  const byName = new Map(sections.map((s) => [s.name, s]));
  return {
    type: b.u16(16),
    machine: b.u16(18),
    sections,
    symbols,
    relocations,
    section: (name) => byName.get(name),
  };
}

function err(message: string): ElfError {
  return new ElfError(message);
}

function checkHeader(b: Bytes): void {
  if (b.bytes.length < EHDR_SIZE) {
    throw new ElfError(`file is ${b.bytes.length} bytes, shorter than the 64-byte ELF header`);
  }
  if (b.u32(0) !== 0x464c457f) throw new ElfError("not an ELF file (bad magic)");
  if (b.u8(4) !== ELFCLASS64) throw new ElfError(`ELF class ${b.u8(4)} is not ELFCLASS64 (2)`);
  if (b.u8(5) !== ELFDATA2LSB) {
    throw new ElfError(`ELF data encoding ${b.u8(5)} is not little-endian (1)`);
  }
  if (b.u16(16) !== ET_REL) throw new ElfError(`e_type ${b.u16(16)} is not ET_REL (1)`);
  if (b.u16(18) !== EM_BPF) throw new ElfError(`e_machine ${b.u16(18)} is not EM_BPF (247)`);
}

/** Section headers; names stay "" until .shstrtab is known (their offsets go to `nameOffs`). */
function readSectionHeaders(
  b: Bytes,
  shoff: number,
  shnum: number,
  nameOffs: number[],
): ElfSection[] {
  const sections: ElfSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const what = `section ${i}`;
    const s: ElfSection = {
      index: i,
      name: "",
      type: b.u32(at + 4),
      flags: b.u64(at + 8, `${what} flags`),
      offset: b.u64(at + 24, `${what} offset`),
      size: b.u64(at + 32, `${what} size`),
      link: b.u32(at + 40),
      info: b.u32(at + 44),
      addralign: b.u64(at + 48, `${what} alignment`),
      entsize: b.u64(at + 56, `${what} entsize`),
      data: new Uint8Array(0),
    };
    nameOffs.push(b.u32(at));
    if (s.type !== SectionType.NOBITS && s.type !== SectionType.NULL) {
      b.check(s.offset, s.size, `${what} contents`);
      s.data = b.bytes.subarray(s.offset, s.offset + s.size);
    }
    sections.push(s);
  }
  return sections;
}

function readSymbols(b: Bytes, sections: ElfSection[]): ElfSymbol[] {
  const symtabs = sections.filter((s) => s.type === SectionType.SYMTAB);
  if (symtabs.length === 0) return [];
  if (symtabs.length > 1) throw new ElfError("more than one SYMTAB section");
  const symtab = symtabs[0]!;
  if (symtab.entsize !== SYM_SIZE || symtab.size % SYM_SIZE !== 0) {
    throw new ElfError(
      `${symtab.name}: entsize ${symtab.entsize} / size ${symtab.size} do not fit 24-byte symbols`,
    );
  }
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type !== SectionType.STRTAB) {
    throw new ElfError(`${symtab.name}: sh_link ${symtab.link} is not a string table`);
  }
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < symtab.size / SYM_SIZE; i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const info = b.u8(at + 4);
    const shndx = b.u16(at + 6);
    const sym: ElfSymbol = {
      index: i,
      name: readCString(strtab.data, b.u32(at), (m) => err(`symbol ${i} name: ${m}`)),
      value: b.u64(at + 8, `symbol ${i} value`),
      size: b.u64(at + 16, `symbol ${i} size`),
      type: info & 0xf,
      bind: info >> 4,
      other: b.u8(at + 5),
      shndx,
    };
    if (shndx !== SHN_UNDEF && shndx < 0xff00) {
      const sec = sections[shndx];
      if (!sec)
        throw new ElfError(
          `symbol ${i} '${sym.name}' is in section ${shndx}, which does not exist`,
        );
      sym.sectionName = sec.name;
    }
    symbols.push(sym);
  }
  return symbols;
}

function readRelocations(
  b: Bytes,
  sections: ElfSection[],
  symbols: ElfSymbol[],
): Map<string, ElfRelocation[]> {
  const out = new Map<string, ElfRelocation[]>();
  for (const rel of sections) {
    if (rel.type === SectionType.RELA)
      throw new ElfError(`${rel.name}: RELA relocations are not used by BPF`);
    if (rel.type !== SectionType.REL) continue;
    if (rel.entsize !== REL_SIZE || rel.size % REL_SIZE !== 0) {
      throw new ElfError(
        `${rel.name}: entsize ${rel.entsize} / size ${rel.size} do not fit 16-byte entries`,
      );
    }
    const target = sections[rel.info];
    if (!target || rel.info === 0) {
      throw new ElfError(`${rel.name}: sh_info ${rel.info} is not a section to relocate`);
    }
    if (sections[rel.link]?.type !== SectionType.SYMTAB) {
      throw new ElfError(`${rel.name}: sh_link ${rel.link} is not the symbol table`);
    }
    const list: ElfRelocation[] = [];
    for (let i = 0; i < rel.size / REL_SIZE; i++) {
      const at = rel.offset + i * REL_SIZE;
      const offset = b.u64(at, `${rel.name}[${i}] offset`);
      const symbolIndex = b.u32(at + 12);
      const symbol = symbols[symbolIndex];
      if (!symbol) {
        throw new ElfError(
          `${rel.name}[${i}]: symbol index ${symbolIndex} is not below ${symbols.length}`,
        );
      }
      if (target.type !== SectionType.NOBITS && offset >= target.size) {
        throw new ElfError(
          `${rel.name}[${i}]: offset ${offset} is outside ${target.name} (${target.size} bytes)`,
        );
      }
      list.push({ offset, type: b.u32(at + 8), symbolIndex, symbol });
    }
    out.set(target.name, [...(out.get(target.name) ?? []), ...list]);
  }
  return out;
}
