// Test-only: the few ELF64 little-endian facts the disassembler tests need
// from a clang object (executable sections, their symbols and `.rel`
// entries). Deliberately tiny and unchecked; the real reader is bpf/elf.

import type { DisasmRelocation, DisasmSymbol } from "../../bpf/disasm/index.js";

export interface CodeSection {
  name: string;
  bytes: Uint8Array;
  symbols: DisasmSymbol[];
  relocations: DisasmRelocation[];
}

const SHT_SYMTAB = 2;
const SHT_REL = 9;
const SHF_EXECINSTR = 0x4;
const STT_SECTION = 3;
const STT_FILE = 4;
const RELOC_NAMES: Record<number, string> = {
  1: "R_BPF_64_64",
  2: "R_BPF_64_ABS64",
  3: "R_BPF_64_ABS32",
  4: "R_BPF_64_NODYLD32",
  10: "R_BPF_64_32",
};

function cString(bytes: Uint8Array, at: number): string {
  let end = at;
  while (bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(at, end));
}

export function codeSections(file: Uint8Array): CodeSection[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const headers = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * 64;
    return {
      nameOff: v.getUint32(at, true),
      type: v.getUint32(at + 4, true),
      flags: Number(v.getBigUint64(at + 8, true)),
      offset: Number(v.getBigUint64(at + 24, true)),
      size: Number(v.getBigUint64(at + 32, true)),
      link: v.getUint32(at + 40, true),
      info: v.getUint32(at + 44, true),
    };
  });
  const data = (i: number) =>
    file.subarray(headers[i]!.offset, headers[i]!.offset + headers[i]!.size);
  const names = headers.map((h) => cString(data(shstrndx), h.nameOff));
  const symtab = headers.findIndex((h) => h.type === SHT_SYMTAB);
  const strtab = data(headers[symtab]!.link);
  const syms = Array.from({ length: headers[symtab]!.size / 24 }, (_, i) => {
    const at = headers[symtab]!.offset + i * 24;
    const type = v.getUint8(at + 4) & 0xf;
    const shndx = v.getUint16(at + 6, true);
    const raw = cString(strtab, v.getUint32(at, true));
    return {
      name: type === STT_SECTION ? names[shndx]! : raw,
      type,
      shndx,
      value: Number(v.getBigUint64(at + 8, true)),
    };
  });
  return headers.flatMap((h, i) => {
    if (!(h.flags & SHF_EXECINSTR) || h.size === 0) return [];
    const rel = headers.findIndex((r) => r.type === SHT_REL && r.info === i);
    const relocations: DisasmRelocation[] =
      rel < 0
        ? []
        : Array.from({ length: headers[rel]!.size / 16 }, (_, k) => {
            const at = headers[rel]!.offset + k * 16;
            const info = v.getBigUint64(at + 8, true);
            return {
              offset: Number(v.getBigUint64(at, true)),
              type: RELOC_NAMES[Number(info & 0xffffffffn)] ?? `unknown(${info & 0xffffffffn})`,
              symbol: syms[Number(info >> 32n)]!.name,
            };
          });
    const symbols = syms
      .filter((s) => s.shndx === i && s.type !== STT_SECTION && s.type !== STT_FILE)
      .map((s) => ({ name: s.name, offset: s.value }));
    return [{ name: names[i]!, bytes: data(i), symbols, relocations }];
  });
}
