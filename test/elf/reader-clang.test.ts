// The reader against independent tools, on the committed clang-19 objects:
// sections, symbols and relocations against `llvm-readelf-19 -S -s -r`
// (X.readelf.txt), BTF against `bpftool btf dump file` (X.btf.txt), and
// relocation metadata landing on the right instructions.
// Regenerate the expectations: scripts/build-clang-fixtures.sh

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dumpBtf } from "../../bpf/btf/index.js";
import { type ElfFile, RelocType, SHN_UNDEF, SymbolType, readObject } from "../../bpf/elf/index.js";
import { SLOT_BYTES, slotOffsets } from "../../bpf/isa/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/clang");
const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".o"))
  .map((f) => f.slice(0, -2))
  .filter((n) => readdirSync(FIXTURES).includes(`${n}.readelf.txt`));

const SECTION_TYPES: Record<number, string> = {
  0: "NULL",
  1: "PROGBITS",
  2: "SYMTAB",
  3: "STRTAB",
  8: "NOBITS",
  9: "REL",
  0x6fff4c03: "LLVM_ADDRSIG",
};
const SYM_TYPES = ["NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE"];
const BINDS = ["LOCAL", "GLOBAL", "WEAK"];
const RELOCS: Record<number, string> = {
  1: "R_BPF_64_64",
  2: "R_BPF_64_ABS64",
  3: "R_BPF_64_ABS32",
  4: "R_BPF_64_NODYLD32",
  10: "R_BPF_64_32",
};

const hex = (n: number) => n.toString(16);

/** Our view, in readelf's words: [name, type, offset, size, entsize, link, info, align]. */
function ourSections(elf: ElfFile): string[][] {
  return elf.sections.map((s) => [
    s.name,
    SECTION_TYPES[s.type] ?? hex(s.type),
    hex(s.offset),
    hex(s.size),
    hex(s.entsize),
    String(s.link),
    String(s.info),
    String(s.addralign),
  ]);
}

function readelfSections(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*\[\s*(\d+)\]\s?(.*)$/.exec(line);
    if (!m) continue;
    let t = m[2]!.trim().split(/\s+/);
    if (m[1] === "0") t = ["", ...t];
    // name type addr off size es [flg] lk inf al
    const [name, type, , off, size, es] = t as [string, string, string, string, string, string];
    const [lk, inf, al] = t.slice(-3);
    rows.push([
      name,
      type,
      hex(parseInt(off, 16)),
      hex(parseInt(size, 16)),
      hex(parseInt(es, 16)),
      lk!,
      inf!,
      al!,
    ]);
  }
  return rows;
}

function ourSymbols(elf: ElfFile): string[][] {
  return elf.symbols.map((s) => [
    String(s.index),
    hex(s.value),
    String(s.size),
    SYM_TYPES[s.type] ?? String(s.type),
    BINDS[s.bind] ?? String(s.bind),
    s.shndx === SHN_UNDEF ? "UND" : s.shndx === 0xfff1 ? "ABS" : String(s.shndx),
    s.type === SymbolType.SECTION ? (s.sectionName ?? "") : s.name,
  ]);
}

function readelfSymbols(text: string): string[][] {
  return text
    .split("\n")
    .map((l) => /^\s+(\d+): ([0-9a-f]{16})\s+(\d+) (\S+)\s+(\S+)\s+\S+\s+(\S+) ?(.*)$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => [m[1]!, hex(parseInt(m[2]!, 16)), m[3]!, m[4]!, m[5]!, m[6]!, m[7]!]);
}

/** Relocations per patched section: [offset, type, symbol name]. */
function readelfRelocs(text: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  let cur: string[][] | undefined;
  for (const line of text.split("\n")) {
    const head = /^Relocation section '\.rel(.*)' at/.exec(line);
    if (head) out.set(head[1]!, (cur = []));
    const m = /^([0-9a-f]{16})\s+[0-9a-f]{16}\s+(\S+)\s+[0-9a-f]{16}\s+(.*)$/.exec(line);
    if (m && cur) cur.push([hex(parseInt(m[1]!, 16)), m[2]!, m[3]!]);
  }
  return out;
}

describe.each(names)("reader on clang fixture %s.o", (name) => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, `${name}.o`)));
  const readelf = readFileSync(join(FIXTURES, `${name}.readelf.txt`), "utf8");
  const obj = readObject(bytes);

  it("sections match llvm-readelf-19 -S", () => {
    expect(ourSections(obj.elf)).toEqual(readelfSections(readelf));
  });

  it("symbols match llvm-readelf-19 -s", () => {
    expect(ourSymbols(obj.elf)).toEqual(readelfSymbols(readelf));
  });

  it("relocations match llvm-readelf-19 -r", () => {
    const ours = new Map(
      [...obj.elf.relocations].map(([sec, list]) => [
        sec,
        list.map((r) => [
          hex(r.offset),
          RELOCS[r.type] ?? String(r.type),
          r.symbol.type === SymbolType.SECTION ? (r.symbol.sectionName ?? "") : r.symbol.name,
        ]),
      ]),
    );
    expect(ours).toEqual(readelfRelocs(readelf));
  });

  it("BTF matches bpftool btf dump file", () => {
    const expected = readFileSync(join(FIXTURES, `${name}.btf.txt`), "utf8");
    expect(dumpBtf(obj.btf!.types)).toBe(expected);
  });

  it("code relocations sit on the instructions they patch, as reloc metadata", () => {
    for (const p of obj.programs) {
      const { offsets } = slotOffsets(p.insns);
      for (const r of obj.elf.relocations.get(p.section) ?? []) {
        if (r.offset < p.offset || r.offset >= p.offset + p.size) continue;
        const i = offsets.indexOf((r.offset - p.offset) / SLOT_BYTES);
        const insn = p.insns[i]!;
        expect(insn.reloc).toBeDefined();
        const kind = insn.reloc!.kind;
        if (r.type === RelocType.R_BPF_64_32) expect(["call", "kfunc"]).toContain(kind);
        else expect(["map", "data", "func"]).toContain(kind);
        if (r.symbol.type !== SymbolType.SECTION) expect(insn.reloc!.symbol).toBe(r.symbol.name);
      }
      expect(p.insns.length).toBeGreaterThan(0);
    }
    expect(obj.license).toBe("GPL");
  });
});

describe("reader details on specific fixtures", () => {
  const read = (n: string) => readObject(new Uint8Array(readFileSync(join(FIXTURES, `${n}.o`))));

  it("maps.o: six BTF maps with types, sizes and flags", () => {
    const maps = read("maps").maps;
    expect(
      maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags]),
    ).toEqual([
      ["counters", 2, 4, 8, 4, 0],
      ["pcpu", 6, 4, 8, 1, 0],
      ["by_len", 1, 4, 8, 64, 0],
      ["lru", 9, 2, 4, 16, 0],
      ["routes", 11, 8, 4, 16, 1],
      ["hits", 2, 4, 8, 1, 0],
    ]);
  });

  it("calls.o: .text subprograms, static call resolved to its callee", () => {
    const o = read("calls");
    const progs = o.programs.map((p) => [p.name, p.section, p.global, p.subprogram]);
    expect(progs).toEqual([
      ["mix", ".text", true, true],
      ["square", ".text", false, true],
      ["clamp_action", ".text", true, true],
      ["xdp_calls", "xdp", true, false],
    ]);
    const mix = o.programs.find((p) => p.name === "mix")!;
    // clang writes no relocation for a call inside .text; the reader names the callee anyway.
    expect(o.elf.relocations.get(".text")).toBeUndefined();
    expect(mix.insns.filter((i) => i.reloc).map((i) => i.reloc)).toEqual([
      { kind: "call", symbol: "square" },
    ]);
  });

  it("globals.o: .data/.rodata/.bss variables and their BTF types", () => {
    const o = read("globals");
    const secs = o.globals.map((g) => [g.name, g.size, g.variables.map((v) => v.name)]);
    expect(secs.map((s) => s[0])).toEqual([".data", ".rodata", ".bss", ".rodata.cst8"]);
    for (const g of o.globals.filter((g) => g.name !== ".rodata.cst8")) {
      for (const v of g.variables) expect(v.type).toBeGreaterThan(0);
    }
  });

  it("kfunc.o: externs, and kfunc relocations", () => {
    const o = read("kfunc");
    expect(o.externs).toEqual([
      "bpf_dynptr_from_xdp",
      "bpf_dynptr_slice",
      "bpf_rcu_read_lock",
      "bpf_rcu_read_unlock",
    ]);
    const kinds = o.programs[0]!.relocations.map((r) => r.kind);
    expect(kinds).toEqual(["kfunc", "kfunc", "kfunc", "kfunc"]);
  });

  it("line info becomes Instruction.source", () => {
    const p = read("xdp_basic").programs[0]!;
    const src = p.insns.find((i) => i.source)!.source!;
    expect(src.file).toMatch(/xdp_basic\.c$/);
    expect(src.line).toBeGreaterThan(0);
    expect(p.insns[0]!.source).toBeDefined();
  });
});
