// The clang-19 objects in test/fixtures/clang: for every executable section,
// our disassembly equals the committed `llvm-objdump-19 -d` outputs (raw,
// --no-show-raw-insn, --mcpu=v4) line for line, equals a live
// `llvm-objdump-19 -d -r` run (relocation lines included), and assembling
// the listings gives back the section bytes (before relocation).
//   reproduce: cd test/fixtures/clang && llvm-objdump-19 -d [-r|--mcpu=v4|--no-show-raw-insn] X.o

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { disassemble, objdumpFileHeader, type DisassembleOptions } from "../../bpf/disasm/index.js";
import { AsmError, assembleSections } from "../../bpf/asm/index.js";
import { codeSections } from "./elf-sections.js";
import { haveLlvm, objdumpFile } from "./llvm.js";
import { toHex } from "./hex.js";

const DIR = join(import.meta.dirname, "../fixtures/clang");
const NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith(".o"))
  .map((f) => f.slice(0, -2));

const LISTINGS: [string, DisassembleOptions][] = [
  ["objdump", {}],
  ["objdump-noraw", { rawBytes: false }],
  ["objdump-v4", { alu32: true }],
];

function listing(name: string, opts: DisassembleOptions): string {
  const sections = codeSections(readFileSync(join(DIR, `${name}.o`)));
  const parts = sections.map((s) =>
    disassemble(s.bytes, {
      ...opts,
      sectionName: s.name,
      symbols: s.symbols,
      ...(opts.relocations ? { relocations: s.relocations } : {}),
    }),
  );
  return objdumpFileHeader(`${name}.o`) + parts.join("");
}

const insnLine = (l: string) => /^\s+\d+:\t/.test(l);

describe("clang fixtures", () => {
  it("exist", () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(10);
  });

  let compared = 0;
  for (const name of NAMES) {
    for (const [suffix, opts] of LISTINGS) {
      it(`${name}: disassembly equals ${name}.${suffix}.txt`, () => {
        const want = readFileSync(join(DIR, `${name}.${suffix}.txt`), "utf8");
        const got = listing(name, opts);
        expect(got.split("\n")).toEqual(want.split("\n"));
        compared += want.split("\n").filter(insnLine).length;
      });
    }

    it.skipIf(!haveLlvm)(`${name}: equals a live llvm-objdump-19 -d -r`, () => {
      const want = objdumpFile(DIR, `${name}.o`, ["-r"]);
      expect(listing(name, { relocations: [] }).split("\n")).toEqual(want.split("\n"));
    });

    it(`${name}: assembling the --mcpu=v4 listing gives the section bytes`, () => {
      const sections = codeSections(readFileSync(join(DIR, `${name}.o`)));
      const text = readFileSync(join(DIR, `${name}.objdump-v4.txt`), "utf8");
      const got = assembleSections(text);
      expect(got.map((s) => s.name)).toEqual(sections.map((s) => s.name));
      got.forEach((s, i) => expect(toHex(s.bytes)).toBe(toHex(sections[i]!.bytes)));
    });

    // Without --mcpu=v4, llvm-objdump-19 prints a 32-bit atomic_fetch_add as
    // `lock *(u32 *)... += r` and other 32-bit atomics as `<unknown>`: the
    // only slots allowed to differ are those, and `<unknown>` needs raw bytes.
    it(`${name}: assembling the default listings gives the bytes but for lossy atomics`, () => {
      const sections = codeSections(readFileSync(join(DIR, `${name}.o`)));
      for (const suffix of ["objdump", "objdump-noraw"]) {
        const text = readFileSync(join(DIR, `${name}.${suffix}.txt`), "utf8");
        if (suffix === "objdump-noraw" && text.includes("<unknown>")) {
          expect(() => assembleSections(text)).toThrow(AsmError);
          continue;
        }
        const lossy = new Set(
          text
            .split("\n")
            .filter((l) => insnLine(l) && /\t(lock \*\(u32 \*\)|<unknown>)/.test(l))
            .map((l) => Number(l.trim().split(":")[0])),
        );
        assembleSections(text).forEach((s, i) => {
          const want = sections[i]!.bytes;
          for (let at = 0; at < want.length; at += 8) {
            const same = toHex(s.bytes.subarray(at, at + 8)) === toHex(want.subarray(at, at + 8));
            if (!same) expect(lossy.has(at / 8), `${suffix} ${s.name} slot ${at / 8}`).toBe(true);
          }
          expect(s.bytes.length).toBe(want.length);
        });
      }
    });
  }

  it("compared instruction lines", () => {
    console.log(`fixtures: ${NAMES.length} objects, ${compared} instruction lines compared`);
  });
});
