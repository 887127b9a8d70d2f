// Programs of a BPF object as the reader returns them: one per FUNC symbol
// in an executable section (entry programs in their own sections, `.text`
// subprograms), decoded to Instructions, with each `.rel` entry turned into
// `Instruction.reloc` on the instruction it patches, and `.BTF.ext` line
// info turned into `Instruction.source`.

import type { ExtSection, FuncInfoRecord, LineInfoRecord } from "../btf/ext.js";
import {
  CallSrc,
  DecodeError,
  type Instruction,
  OP_CALL,
  OP_LDDW,
  type RelocationKind,
  SLOT_BYTES,
  decode,
  slotOffsets,
} from "../isa/index.js";
import { ElfError, RelocType, SHF_EXECINSTR, SectionType, SymbolType } from "./constants.js";
import type { ElfFile, ElfRelocation, ElfSection, ElfSymbol } from "./reader.js";

export interface ProgramRelocation {
  /** Index into `insns`. */
  insnIndex: number;
  /** Byte offset in the section. */
  offset: number;
  type: RelocType | number;
  kind: RelocationKind;
  /** The ELF symbol as written (may be a section symbol). */
  elfSymbol: ElfSymbol;
  /** What it resolves to: map, variable or section, callee, kfunc name. */
  symbol: string;
}

export interface BpfProgram {
  name: string;
  section: string;
  /** Byte offset and length in the section. */
  offset: number;
  size: number;
  /** STB_GLOBAL (an entry point, or a global subprogram in `.text`). */
  global: boolean;
  /** Lives in `.text`: reached only through calls. */
  subprogram: boolean;
  insns: Instruction[];
  relocations: ProgramRelocation[];
  /** The FUNC type id from func_info, when present. */
  btfFunc?: number;
}

export interface ExtInfo {
  funcInfo: ExtSection<FuncInfoRecord>[];
  lineInfo: ExtSection<LineInfoRecord>[];
}

export function readPrograms(elf: ElfFile, ext: ExtInfo | undefined): BpfProgram[] {
  const programs: BpfProgram[] = [];
  for (const sec of elf.sections) {
    if (sec.type !== SectionType.PROGBITS || !(sec.flags & SHF_EXECINSTR) || sec.size === 0) {
      continue;
    }
    const funcs = elf.symbols
      .filter((s) => s.shndx === sec.index && s.type === SymbolType.FUNC)
      .sort((a, b) => a.value - b.value);
    const relocs = elf.relocations.get(sec.name) ?? [];
    const lines = ext?.lineInfo.find((s) => s.section === sec.name)?.records ?? [];
    const funcInfo = ext?.funcInfo.find((s) => s.section === sec.name)?.records ?? [];
    for (const f of funcs) {
      if (f.size === 0 || f.value % SLOT_BYTES !== 0 || f.size % SLOT_BYTES !== 0) {
        throw new ElfError(
          `function ${f.name} in ${sec.name}: offset ${f.value} / size ${f.size} are not whole instructions`,
        );
      }
      if (f.value + f.size > sec.size) {
        throw new ElfError(
          `function ${f.name} (${f.value}+${f.size}) runs past ${sec.name} (${sec.size} bytes)`,
        );
      }
      programs.push(readFunction(elf, sec, f.name, f.value, f.size, f.bind === 1, relocs, lines));
      const info = funcInfo.find((r) => r.insnOff === f.value);
      if (info) programs[programs.length - 1]!.btfFunc = info.typeId;
    }
    if (funcs.length === 0) {
      programs.push(readFunction(elf, sec, sec.name, 0, sec.size, true, relocs, lines));
    }
  }
  return programs;
}

function readFunction(
  elf: ElfFile,
  sec: ElfSection,
  name: string,
  offset: number,
  size: number,
  global: boolean,
  relocs: ElfRelocation[],
  lines: LineInfoRecord[],
): BpfProgram {
  let insns: Instruction[];
  try {
    insns = decode(sec.data.subarray(offset, offset + size));
  } catch (e) {
    if (e instanceof DecodeError)
      throw new ElfError(`${sec.name}/${name}: ${e.message}`, { cause: e });
    throw e;
  }
  const { offsets } = slotOffsets(insns);
  const indexOfByte = new Map(offsets.map((slot, i) => [offset + slot * SLOT_BYTES, i]));
  const prog: BpfProgram = {
    name,
    section: sec.name,
    offset,
    size,
    global,
    subprogram: sec.name === ".text",
    insns,
    relocations: [],
  };
  for (const r of relocs) {
    if (r.offset < offset || r.offset >= offset + size) continue;
    const i = indexOfByte.get(r.offset);
    if (i === undefined) {
      throw new ElfError(
        `${sec.name}: relocation at ${r.offset} is not at the start of an instruction`,
      );
    }
    const insn = insns[i]!;
    const kind = relocKind(sec, r, insn);
    const symbol = relocTarget(elf, r, insn, kind);
    insn.reloc = { kind, symbol };
    prog.relocations.push({
      insnIndex: i,
      offset: r.offset,
      type: r.type,
      kind,
      elfSymbol: r.symbol,
      symbol,
    });
  }
  linkLocalCalls(elf, sec, prog, offsets);
  for (const l of lines) {
    const i = indexOfByte.get(l.insnOff);
    if (i === undefined) continue;
    insns[i]!.source = { file: l.fileName, line: l.lineNum, column: l.column, text: l.line };
  }
  return prog;
}

/**
 * clang emits no relocation for a call between two functions of the same
 * section (libbpf resolves it from the pc-relative imm); name the callee in
 * `reloc` anyway, so every call to another function reads the same way.
 */
function linkLocalCalls(elf: ElfFile, sec: ElfSection, prog: BpfProgram, offsets: number[]) {
  prog.insns.forEach((insn, i) => {
    if (insn.reloc || insn.opcode !== OP_CALL || insn.src !== CallSrc.LOCAL) return;
    const at = prog.offset + (offsets[i]! + 1 + insn.imm) * SLOT_BYTES;
    if (at >= prog.offset && at < prog.offset + prog.size) return; // inside itself
    const callee = elf.symbols.find(
      (s) => s.shndx === sec.index && s.type === SymbolType.FUNC && s.value === at,
    );
    if (callee) insn.reloc = { kind: "call", symbol: callee.name };
  });
}

function relocKind(sec: ElfSection, r: ElfRelocation, insn: Instruction): RelocationKind {
  const where = `${sec.name}: relocation at ${r.offset} (type ${r.type}, symbol '${r.symbol.name}')`;
  if (r.type === RelocType.R_BPF_64_64) {
    if (insn.opcode !== OP_LDDW) throw new ElfError(`${where} is not on an lddw`);
    const target = r.symbol.sectionName;
    if (target === undefined) {
      // An `extern ... __ksym` kernel variable: libbpf resolves it to a kernel address
      // (BPF_PSEUDO_BTF_ID), which needs kallsyms of data symbols (CONFIG_KALLSYMS_ALL).
      throw new ElfError(
        `${where} points at an undefined symbol: a kernel variable (extern ... __ksym), ` +
          "which the tsbpf runtime does not resolve",
      );
    }
    if (target === ".maps") return "map";
    if (r.symbol.type === SymbolType.FUNC || target === ".text") return "func";
    return "data";
  }
  if (r.type === RelocType.R_BPF_64_32) {
    if (insn.opcode !== OP_CALL) throw new ElfError(`${where} is not on a call`);
    return r.symbol.sectionName === undefined ? "kfunc" : "call";
  }
  throw new ElfError(`${where}: type is not R_BPF_64_64 or R_BPF_64_32`);
}

/** The name a relocation resolves to; for section symbols, the function or section meant. */
function relocTarget(elf: ElfFile, r: ElfRelocation, insn: Instruction, kind: RelocationKind) {
  const sym = r.symbol;
  if (sym.type !== SymbolType.SECTION) return sym.name;
  if (kind === "call" || kind === "func") {
    // call: target slot = sym.value/8 + imm + 1; lddw of a function: byte offset sym.value + imm.
    const at = kind === "call" ? sym.value + (insn.imm + 1) * SLOT_BYTES : sym.value + insn.imm;
    const callee = elf.symbols.find(
      (s) => s.shndx === sym.shndx && s.type === SymbolType.FUNC && s.value === at,
    );
    if (!callee) throw new ElfError(`${sym.sectionName}: no function at offset ${at} for a call`);
    return callee.name;
  }
  return sym.sectionName ?? "";
}
