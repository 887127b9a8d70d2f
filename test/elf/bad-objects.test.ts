// Bad objects given to the reader: each gives an ElfError with a message
// that says what is wrong, never a RangeError or a crash; then a mutation
// loop throws a few thousand damaged objects at it (seeded, reproducible).

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BtfError } from "../../bpf/btf/index.js";
import {
  ElfError,
  type ObjectSpec,
  readElf,
  readObject,
  writeObject,
} from "../../bpf/elf/index.js";
import * as objs from "./objects.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/clang");
const fixture = (n: string) => new Uint8Array(readFileSync(join(FIXTURES, `${n}.o`)));
const maps = fixture("maps");

function damaged(base: Uint8Array, edit: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const b = base.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

/** Offset of section `name`'s header in `b`. */
function shdr(b: Uint8Array, name: string): number {
  const elf = readElf(b);
  const v = new DataView(b.buffer, b.byteOffset);
  return Number(v.getBigUint64(40, true)) + elf.section(name)!.index * 64;
}

function expectElfError(bytes: Uint8Array, message: RegExp) {
  let thrown: unknown;
  try {
    readObject(bytes);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ElfError);
  expect((thrown as Error).message).toMatch(message);
}

describe("bad objects give a clear ElfError", () => {
  it("too short or not ELF", () => {
    expectElfError(new Uint8Array(0), /shorter than the 64-byte ELF header/);
    expectElfError(new Uint8Array(100), /not an ELF file/);
  });

  it("wrong class, byte order, type or machine", () => {
    expectElfError(
      damaged(maps, (b) => (b[4] = 1)),
      /ELF class 1 is not ELFCLASS64/,
    );
    expectElfError(
      damaged(maps, (b) => (b[5] = 2)),
      /not little-endian/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setUint16(16, 2, true)),
      /e_type 2 is not ET_REL/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setUint16(18, 62, true)),
      /e_machine 62 is not EM_BPF/,
    );
  });

  it("truncated at many points", () => {
    for (const bytes of [maps, writeObject(objs.mapsXdp)]) {
      for (let cut = 0; cut < bytes.length; cut += 13) {
        expectElfError(bytes.subarray(0, cut), /shorter|past the end|section/);
      }
    }
  });

  it("section header table, section contents and shstrndx out of range", () => {
    expectElfError(
      damaged(maps, (_, v) => v.setBigUint64(40, 1n << 40n, true)),
      /section header table/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setUint16(62, 500, true)),
      /e_shstrndx 500/,
    );
    const at = shdr(maps, "xdp");
    expectElfError(
      damaged(maps, (_, v) => v.setBigUint64(at + 24, 0xfffffn, true)),
      /section 3 contents/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setBigUint64(at + 32, 1n << 60n, true)),
      /section 3 size .* too large/,
    );
  });

  it("bad string indices", () => {
    const at = shdr(maps, "xdp");
    expectElfError(
      damaged(maps, (_, v) => v.setUint32(at, 0xffffff, true)),
      /section 3 name: string offset/,
    );
    const sym = readElf(maps).section(".symtab")!.offset + 11 * 24;
    expectElfError(
      damaged(maps, (_, v) => v.setUint32(sym, 0xffffff, true)),
      /symbol 11 name: string offset/,
    );
  });

  it("bad symbol and relocation indices", () => {
    const sym = readElf(maps).section(".symtab")!.offset + 12 * 24;
    expectElfError(
      damaged(maps, (_, v) => v.setUint16(sym + 6, 900, true)),
      /section 900, which does not exist/,
    );
    const rel = readElf(maps).section(".relxdp")!.offset;
    expectElfError(
      damaged(maps, (_, v) => v.setUint32(rel + 12, 4000, true)),
      /symbol index 4000 is not below 19/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setBigUint64(rel, 0x10000n, true)),
      /outside xdp/,
    );
    expectElfError(
      damaged(maps, (_, v) => v.setBigUint64(rel, 0x4cn, true)),
      /not at the start of an instruction/,
    );
  });

  it("bad BTF, with the BtfError as cause", () => {
    const btf = readElf(maps).section(".BTF")!.offset;
    const badMagic = damaged(maps, (b) => (b[btf] = 0));
    expectElfError(badMagic, /^\.BTF: \.BTF magic/);
    try {
      readObject(badMagic);
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(BtfError);
    }
    // First type's PTR target -> a type id that does not exist.
    expectElfError(
      damaged(maps, (_, v) => v.setUint32(btf + 24 + 8, 9999, true)),
      /refers to type 9999/,
    );
    const ext = readElf(maps).section(".BTF.ext")!.offset;
    expectElfError(
      damaged(maps, (_, v) => v.setUint32(ext + 4, 9999, true)),
      /\.BTF\.ext hdr_len 9999/,
    );
  });
});

describe("mutation loop", () => {
  it("a few thousand damaged objects give only ElfError", () => {
    const bases = [
      ...readdirSync(FIXTURES)
        .filter((f) => f.endsWith(".o"))
        .map((f) => fixture(f.slice(0, -2))),
      ...Object.values(objs)
        .filter((s): s is ObjectSpec => typeof s === "object" && "programs" in s)
        .map((s) => writeObject(s)),
    ];
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const counts = { ok: 0, elfError: 0 };
    for (let i = 0; i < 3000; i++) {
      const base = bases[i % bases.length]!;
      const b = base.slice();
      const shoff = Number(new DataView(b.buffer).getBigUint64(40, true));
      for (let k = 1 + rand(6); k > 0; k--) {
        // Half the hits on the headers and tables, where damage matters most.
        const at = rand(2) ? rand(b.length) : rand(3) ? shoff + rand(b.length - shoff) : rand(64);
        b[at] = rand(4) ? rand(256) : b[at]! ^ (1 << rand(8));
      }
      const input = rand(8) ? b : b.subarray(0, rand(b.length));
      try {
        readObject(input);
        counts.ok++;
      } catch (e) {
        if (!(e instanceof ElfError)) {
          throw new Error(`iteration ${i} threw ${(e as Error).name}: ${(e as Error).message}`, {
            cause: e,
          });
        }
        counts.elfError++;
      }
    }
    expect(counts.elfError).toBeGreaterThan(1000);
    expect(counts.ok + counts.elfError).toBe(3000);
  });
});
