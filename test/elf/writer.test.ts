// writeObject without the kernel: deterministic bytes, the relocation and
// symbol conventions of OBJECT-FORMAT.md (checked with llvm-readelf-19 when
// present, else with our reader), map-in-map BTF, and the errors a code
// generator gets for names that do not resolve.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ElfError, RelocType, SymbolBind, readObject, writeObject } from "../../bpf/elf/index.js";
import { CallKfunc, CallSymbol, Exit, LoadMapPtr, Mov64, Reg } from "../../bpf/isa/index.js";
import { hasTool } from "../kernel/kernel-test.js";
import * as objs from "./objects.js";

describe("writeObject", () => {
  it("is deterministic", () => {
    expect(writeObject(objs.mapsXdp)).toEqual(writeObject(objs.mapsXdp));
    expect(writeObject(objs.callsXdp)).toEqual(writeObject(objs.callsXdp));
  });

  it("does not change the caller's instructions", () => {
    const before = structuredClone(objs.callsXdp.programs[0]!.insns);
    writeObject(objs.callsXdp);
    expect(objs.callsXdp.programs[0]!.insns).toEqual(before);
  });

  it("follows the call, kfunc and symbol conventions", () => {
    const o = readObject(writeObject(objs.callsXdp));
    const syms = o.elf.symbols;
    const firstGlobal = syms.findIndex((s) => s.bind === SymbolBind.GLOBAL);
    expect(syms.slice(firstGlobal).every((s) => s.bind === SymbolBind.GLOBAL)).toBe(true);
    expect(o.elf.section(".symtab")!.info).toBe(firstGlobal);
    const relocs = o.elf.relocations.get("xdp")!;
    // Static callee: section symbol, imm = offset/8 - 1; global callee: its symbol, imm -1.
    expect(relocs.map((r) => [r.type, r.symbol.sectionName, r.symbol.name])).toEqual([
      [RelocType.R_BPF_64_32, ".text", ""],
      [RelocType.R_BPF_64_32, ".text", "times2"],
    ]);
    const calls = o.programs.find((p) => p.name === "calls_prog")!.insns.filter((i) => i.reloc);
    expect(calls.map((i) => [i.imm, i.reloc!.symbol])).toEqual([
      [-1, "add3"],
      [-1, "times2"],
    ]);
    const k = readObject(writeObject(objs.kfuncXdp));
    const ext = k.elf.symbols.filter((s) => s.shndx === 0 && s.name);
    expect(ext.map((s) => [s.name, s.type, s.bind])).toEqual([
      ["bpf_rcu_read_lock", 0, 1],
      ["bpf_rcu_read_unlock", 0, 1],
      ["bpf_dynptr_from_xdp", 0, 1],
    ]);
    const ksyms = k.btf!.types.find((t) => t?.kind === "datasec" && t.name === ".ksyms");
    expect(ksyms).toBeDefined();
  });

  it("writes map-in-map and pinning into BTF that reads back", () => {
    const o = readObject(
      writeObject({
        license: "GPL",
        maps: [
          {
            name: "outer",
            type: 12, // ARRAY_OF_MAPS
            maxEntries: 2,
            pinning: 1,
            keySize: 4,
            innerMap: { type: 2, maxEntries: 1, key: 4, value: 8 },
          },
        ],
        programs: [
          {
            name: "p",
            section: "xdp",
            insns: [LoadMapPtr(Reg.R1, "outer"), Mov64.imm(Reg.R0, 2), Exit()],
          },
        ],
      }),
    );
    expect(o.maps[0]).toMatchObject({
      name: "outer",
      type: 12,
      keySize: 4,
      valueSize: 4,
      pinning: 1,
    });
    expect(o.maps[0]!.inner).toMatchObject({ type: 2, keySize: 4, valueSize: 8, maxEntries: 1 });
  });

  it("names what does not resolve", () => {
    const prog = (insns: ReturnType<typeof Exit>[]) => ({
      license: "GPL",
      programs: [{ name: "p", section: "xdp", insns: [...insns, Exit()] }],
    });
    expect(() => writeObject(prog([LoadMapPtr(Reg.R1, "nope")]))).toThrow(/no map named 'nope'/);
    expect(() => writeObject(prog([CallKfunc("bpf_x")]))).toThrow(/kfunc 'bpf_x' is not declared/);
    expect(() => writeObject(prog([CallSymbol("f")]))).toThrow(/'f' is not a subprogram/);
    expect(() =>
      writeObject({ ...prog([]), globals: [{ name: "p", section: ".bss", type: 4 }] }),
    ).toThrow(ElfError);
  });

  it.skipIf(!hasTool("llvm-readelf-19"))("llvm-readelf-19 reads our objects the same way", () => {
    const dir = mkdtempSync(join(tmpdir(), `tsbpf-w-${process.pid}-`));
    try {
      const path = join(dir, "g.o");
      writeFileSync(path, writeObject(objs.globalsXdp));
      const out = execFileSync("llvm-readelf-19", ["-S", "-s", "-r", path], { encoding: "utf8" });
      expect(out).toMatch(/R_BPF_64_64\s+0+ counter/);
      expect(out).toMatch(/\.bss\s+NOBITS/);
      expect(out).toMatch(/OBJECT\s+GLOBAL\s+DEFAULT\s+\d+ dval/);
      expect(out).not.toMatch(/warning|error/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
