// ELF64 constants used by BPF relocatable objects, and the typed ElfError
// every malformed input turns into.
//
// ELF header (64 bytes), the fields BPF objects use:
//   0  e_ident: 7f 'E' 'L' 'F' | class 2 (64-bit) | data 1 (LE) | version 1 | ...
//   16 e_type u16 (1 = REL) | 18 e_machine u16 (247 = EM_BPF) | 20 e_version u32
//   40 e_shoff u64 | 52 e_ehsize u16 | 58 e_shentsize u16 | 60 e_shnum u16 | 62 e_shstrndx u16
// Section header (64 bytes):
//   name u32 | type u32 | flags u64 | addr u64 | offset u64 | size u64
//   link u32 | info u32 | addralign u64 | entsize u64
// Symbol (24 bytes): name u32 | info u8 (bind<<4|type) | other u8 | shndx u16 | value u64 | size u64
// Rel (16 bytes):    offset u64 | info u64 (sym<<32 | type)

export const EHDR_SIZE = 64;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;

export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ET_REL = 1;
export const EM_BPF = 247;

export enum SectionType {
  NULL = 0,
  PROGBITS = 1,
  SYMTAB = 2,
  STRTAB = 3,
  RELA = 4,
  NOBITS = 8,
  REL = 9,
}

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_INFO_LINK = 0x40;

export enum SymbolBind {
  LOCAL = 0,
  GLOBAL = 1,
  WEAK = 2,
}

export enum SymbolType {
  NOTYPE = 0,
  OBJECT = 1,
  FUNC = 2,
  SECTION = 3,
  FILE = 4,
}

export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;

/** BPF relocation types (llvm's BPF backend). */
export enum RelocType {
  NONE = 0,
  /** lddw: 64-bit immediate (map, global data, function address). */
  R_BPF_64_64 = 1,
  R_BPF_64_ABS64 = 2,
  R_BPF_64_ABS32 = 3,
  R_BPF_64_NODYLD32 = 4,
  /** call: 32-bit immediate (BPF-to-BPF call, kfunc). */
  R_BPF_64_32 = 10,
}

export class ElfError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ElfError";
  }
}
