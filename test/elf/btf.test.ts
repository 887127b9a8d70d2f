// BTF builder, parser and `.BTF.ext`: every kind round-trips through bytes,
// strings are deduplicated, the ext rules are enforced, and bad input gives
// a BtfError. Run: npx vitest run test/elf/btf.test.ts

import { describe, expect, it } from "vitest";
import {
  BtfBuilder,
  BtfError,
  IntEncoding,
  Linkage,
  StringTable,
  dumpBtf,
  encodeBtfExt,
  kfuncExtern,
  mapDefinition,
  parseBtf,
  parseBtfExt,
  parseMapDefinition,
  typeSize,
} from "../../bpf/btf/index.js";

function everyKind(): BtfBuilder {
  const b = new BtfBuilder();
  const int = b.int("int", 4, IntEncoding.SIGNED);
  const u8 = b.int("unsigned char", 1);
  const arr = b.array(u8, 6);
  const st = b.struct("pair", 8, [
    { name: "a", type: int, bitOffset: 0 },
    { name: "b", type: int, bitOffset: 32 },
  ]);
  b.add({
    kind: "struct",
    name: "bits",
    size: 4,
    members: [{ name: "x", type: int, bitOffset: 3, bitfieldSize: 5 }],
  });
  b.union("u", 8, [{ name: "p", type: st, bitOffset: 0 }]);
  b.enum(
    "color",
    4,
    [
      { name: "RED", value: 0n },
      { name: "BLUE", value: -1n },
    ],
    true,
  );
  b.enum("big", 8, [{ name: "HUGE", value: 1n << 40n }]);
  b.fwd("later", true);
  b.typedef("pair_t", st);
  b.volatile(b.const(b.restrict(b.ptr(int))));
  const proto = b.funcProto(int, [{ name: "x", type: b.typeTag("user", int) }]);
  const fn = b.func("f", proto, Linkage.GLOBAL);
  b.declTag("tag", fn, 0);
  b.float("double", 8);
  const v = b.variable("arr", arr, Linkage.GLOBAL);
  b.datasec(".data", 6, [{ type: v, offset: 0, size: 6 }]);
  return b;
}

describe("BTF builder and parser", () => {
  it("round-trips every kind", () => {
    const b = everyKind();
    const parsed = parseBtf(b.encode());
    expect(parsed.types).toEqual(b.list());
    expect(dumpBtf(parsed.types)).toContain("[8] ENUM 'color' encoding=SIGNED size=4 vlen=2");
    expect(dumpBtf(parsed.types)).toContain("'x' type_id=1 bits_offset=3 bitfield_size=5");
  });

  it("deduplicates strings and interned types", () => {
    const t = new StringTable();
    expect(t.add("abc")).toBe(t.add("abc"));
    expect(t.add("")).toBe(0);
    const b = new BtfBuilder();
    expect(b.int("int", 4, IntEncoding.SIGNED)).toBe(b.int("int", 4, IntEncoding.SIGNED));
    expect(b.ptr(1)).toBe(b.ptr(1));
  });

  it("refuses strings added after the table is written", () => {
    const b = new BtfBuilder();
    b.int("int", 4);
    b.encode();
    expect(() => b.strings.add("late")).toThrow(BtfError);
  });

  it("refuses dangling type references when encoding", () => {
    const b = new BtfBuilder();
    b.ptr(5);
    expect(() => b.encode()).toThrow(/refers to type 5/);
  });

  it("gives BtfError on bad bytes", () => {
    const good = everyKind().encode();
    expect(() => parseBtf(good.subarray(0, 10))).toThrow(/shorter than its 24-byte header/);
    const badMagic = good.slice();
    badMagic[0] = 0;
    expect(() => parseBtf(badMagic)).toThrow(/magic/);
    for (let cut = 24; cut < good.length; cut += 7) {
      const t = good.slice(0, cut);
      expect(() => parseBtf(t)).toThrow(BtfError);
    }
    const badKind = good.slice();
    badKind[24 + 7] = 0x1f; // first type's kind byte
    expect(() => parseBtf(badKind)).toThrow(/unknown kind 31/);
  });

  it("encodes and reads back map definitions and kfunc externs", () => {
    const b = new BtfBuilder();
    const u32 = b.int("unsigned int", 4);
    const u64 = b.int("unsigned long long", 8);
    const inner = mapDefinition(b, {
      type: 2,
      maxEntries: 1,
      key: { type: u32 },
      value: { type: u64 },
    });
    const outer = mapDefinition(b, {
      type: 12,
      maxEntries: 4,
      flags: 1,
      pinning: 1,
      key: { size: 4 },
      innerMap: inner,
    });
    const k = kfuncExtern(b, "bpf_rcu_read_lock", 0, []);
    expect(() => kfuncExtern(b, "bad", 0, [{ name: "", type: u32 }])).toThrow(/needs a name/);
    const types = parseBtf(b.encode()).types;
    expect(parseMapDefinition(types, inner)).toMatchObject({
      numbers: { type: 2, max_entries: 1 },
      keySize: 4,
      valueSize: 8,
    });
    expect(parseMapDefinition(types, outer)).toMatchObject({
      numbers: { type: 12, max_entries: 4, map_flags: 1, pinning: 1, key_size: 4 },
      keySize: 4,
      innerMap: inner,
    });
    expect(types[k]).toMatchObject({ kind: "func", linkage: Linkage.EXTERN });
    expect(typeSize(types, outer)).toBe(40);
  });
});

describe(".BTF.ext", () => {
  const lines = (offs: number[]) =>
    offs.map((insnOff, i) => ({
      insnOff,
      fileName: "a.ts",
      line: `line ${i}`,
      lineNum: i + 1,
      column: 2,
    }));

  it("round-trips func_info and line_info, leaving out empty sections", () => {
    const b = new BtfBuilder();
    const ext = {
      funcInfo: [
        { section: "xdp", records: [{ insnOff: 0, typeId: 3 }] },
        { section: ".text", records: [] },
      ],
      lineInfo: [{ section: "xdp", records: lines([0, 8, 24]) }],
    };
    const bytes = encodeBtfExt(ext, b.strings)!;
    const parsed = parseBtfExt(bytes, parseBtf(b.encode()).string);
    expect(parsed.funcInfo).toEqual([ext.funcInfo[0]]);
    expect(parsed.lineInfo).toEqual(ext.lineInfo);
    expect(encodeBtfExt({ funcInfo: [], lineInfo: [] }, new StringTable())).toBeUndefined();
  });

  it("enforces the rules", () => {
    const s = new StringTable();
    expect(() =>
      encodeBtfExt({ funcInfo: [], lineInfo: [{ section: "xdp", records: lines([0]) }] }, s),
    ).toThrow(/without func_info/);
    const fi = [{ section: "xdp", records: [{ insnOff: 0, typeId: 1 }] }];
    expect(() =>
      encodeBtfExt({ funcInfo: fi, lineInfo: [{ section: "xdp", records: lines([0, 16, 8]) }] }, s),
    ).toThrow(/does not increase/);
  });
});
