// Checks the tables against the running kernel's BTF (bpftool btf dump of
// /sys/kernel/btf/vmlinux): helper ids = enum bpf_func_id, every kfunc present (the two
// known absentees named), context offsets, program/attach/map type ids, enum constants.
// Prints SKIPPED with the reason when bpftool or the BTF is unavailable.
// Run: npx vitest run test/stdlib/kernel.test.ts
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { describe, expect, it } from "vitest";
import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import { CONTEXT_STRUCTS } from "../../stdlib/generated/data/contexts.js";
import { MAP_TYPES, SECTIONS } from "../../stdlib/generated/data/sections.js";
import { CONSTANTS } from "../../stdlib/generated/data/constants.js";

const VMLINUX = "/sys/kernel/btf/vmlinux";
function dump(format: "c" | "raw"): string | string {
  const args = ["btf", "dump", "file", VMLINUX, ...(format === "c" ? ["format", "c"] : [])];
  return execFileSync("bpftool", args, { maxBuffer: 1 << 30, encoding: "utf8" });
}
let skip = "";
let c = "";
let raw = "";
try {
  accessSync(VMLINUX, constants.R_OK);
  c = dump("c");
  raw = dump("raw");
} catch (e) {
  skip = `kernel BTF checks: bpftool or ${VMLINUX} unavailable (${(e as Error).message.split("\n")[0]})`;
  console.log(`SKIPPED: ${skip}`);
}

/** NAME = value pairs of every enumerator in the C dump. */
const enumerators = new Map<string, number>();
for (const m of c.matchAll(/^\t(\w+) = (-?\d+),?$/gm)) enumerators.set(m[1]!, Number(m[2]));

describe.skipIf(skip !== "")("stdlib tables against the running kernel", () => {
  it("has every helper id equal to enum bpf_func_id", () => {
    const kernel = [...enumerators].filter(
      ([n]) => n.startsWith("BPF_FUNC_") && n !== "BPF_FUNC_unspec",
    );
    expect(kernel.length).toBe(211);
    for (const h of HELPERS)
      expect(enumerators.get(`BPF_FUNC_${h.name.slice(4)}`), h.name).toBe(h.id);
  });

  it("finds every declared kfunc in BTF except the two known absentees", () => {
    const kfuncs = new Set<string>();
    const names = new Map<string, string>();
    for (const m of raw.matchAll(/^\[(\d+)\] FUNC '(\w+)'/gm)) names.set(m[1]!, m[2]!);
    for (const m of raw.matchAll(/DECL_TAG 'bpf_kfunc' type_id=(\d+)/g))
      kfuncs.add(names.get(m[1]!)!);
    const missing = KFUNCS.filter((k) => !kfuncs.has(k.name)).map((k) => k.name);
    const known = KFUNCS.filter((k) => k.absentFromKernel).map((k) => k.name);
    console.log(
      `kfuncs: ${KFUNCS.length - missing.length}/${KFUNCS.length} in BTF; known absentees: ${known.join(", ")}`,
    );
    expect(missing.sort()).toEqual(known.sort());
    expect(kfuncs.has("bpf_stream_vprintk_impl")).toBe(true);
  });

  it("has the kernel's offsets and sizes for xdp_md and __sk_buff", () => {
    for (const [name, s] of Object.entries(CONTEXT_STRUCTS)) {
      const m = new RegExp(
        `^\\[\\d+\\] STRUCT '${name}' size=(\\d+) vlen=\\d+\\n((?:\\t.*\\n)+)`,
        "m",
      ).exec(raw)!;
      expect(Number(m[1]), name).toBe(s.size);
      const offsets = [...m[2]!.matchAll(/bits_offset=(\d+)/g)].map((x) => Number(x[1]) / 8);
      expect(
        s.fields.map((f) => f.offset),
        name,
      ).toEqual(offsets);
    }
  });

  it("has the kernel's program, attach and map type ids", () => {
    for (const s of SECTIONS) {
      expect(enumerators.get(s.progType), s.section).toBe(s.progTypeId);
      if (s.expectedAttachType)
        expect(enumerators.get(s.expectedAttachType)).toBe(s.expectedAttachTypeId);
    }
    for (const m of MAP_TYPES) expect(enumerators.get(m.mapType), m.className).toBe(m.mapTypeId);
  });

  it("has the kernel's value for every constant that is an enumerator in BTF", () => {
    const checked = Object.entries(CONSTANTS).filter(([n]) =>
      enumerators.has(n.replace(/^XdpAction\./, "XDP_")),
    );
    expect(checked.length).toBeGreaterThan(40);
    for (const [n, v] of checked) {
      const k = enumerators.get(n.replace(/^XdpAction\./, "XDP_"))!;
      // BTF prints 64-bit masks as signed or unsigned; compare modulo 2^64.
      expect(BigInt.asUintN(64, BigInt(k)), n).toBe(BigInt.asUintN(64, BigInt(v.value)));
    }
  });
});
