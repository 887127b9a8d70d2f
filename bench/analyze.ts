// Where tsbpf's extra instructions come from: builds every corpus pair,
// disassembles both objects with llvm-objdump-19 (--mcpu=v4), and counts
// instruction patterns that mark a missing optimization, tsbpf minus clang,
// per program and in total. bench/ANALYSIS.md reads these counts.
// Usage: npx tsx bench/analyze.ts [--listings DIR]  (DIR gets both listings)

import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS } from "./corpus.js";
import { buildPair, countInsns } from "./lib/objects.js";

/** Pattern name -> test on one disassembled instruction (the text after "N:\t"). */
const PATTERNS: Record<string, (insn: string) => boolean> = {
  // xdp_md/__sk_buff data and data_end are the u32 fields at 0 and 4 (skb: 0x4c, 0x50).
  "ctx data/data_end loads": (i) => /= \*\(u32 \*\)\(r\d+ \+ 0x(0|4|4c|50)\)$/.test(i),
  "register copies": (i) => /^[wr]\d+ = [wr]\d+$/.test(i),
  exits: (i) => i === "exit",
  "64-bit pointer += constant": (i) => /^r\d+ \+= 0x[0-9a-f]+$/.test(i),
  "masks to 8/16 bits": (i) => /&= 0x(ff|ffff)$/.test(i),
  calls: (i) => i.startsWith("call"),
  "stack stores/loads": (i) => /\(r10 [-+]/.test(i),
};

interface Listing {
  functions: string[][];
}

function disassemble(path: string): Listing {
  const r = spawnSync("llvm-objdump-19", ["-d", "--no-show-raw-insn", "--mcpu=v4", path], {
    encoding: "utf8",
  });
  const functions: string[][] = [];
  for (const line of r.stdout.split("\n")) {
    if (/^[0-9a-f]+ <.*>:$/.test(line)) functions.push([]);
    const m = /^\s+\d+:\t(.*?)(\s+<.*>)?$/.exec(line);
    if (m && functions.length) functions[functions.length - 1]!.push(m[1]!.trim());
  }
  return { functions };
}

/** Loads repeated inside one function (same register base and offset), context loads aside. */
function repeatedLoads(l: Listing): number {
  let n = 0;
  for (const f of l.functions) {
    const seen = new Set<string>();
    for (const insn of f) {
      const m = /^[wr]\d+ = (\*\(u\d+ \*\)\(r\d+ \+ 0x[0-9a-f]+\))$/.exec(insn);
      if (!m || PATTERNS["ctx data/data_end loads"]!(insn)) continue;
      if (seen.has(m[1]!)) n++;
      seen.add(m[1]!);
    }
  }
  return n;
}

function counts(l: Listing): Record<string, number> {
  const all = l.functions.flat();
  const out: Record<string, number> = {};
  for (const [name, test] of Object.entries(PATTERNS)) out[name] = all.filter(test).length;
  out["repeated packet/map loads"] = repeatedLoads(l);
  return out;
}

const listingsAt = process.argv.indexOf("--listings");
const outDir =
  listingsAt >= 0 ? process.argv[listingsAt + 1]! : mkdtempSync(join(tmpdir(), "tsbpf-an-"));
const totals: Record<string, number> = {};
const rows: string[] = [];
for (const prog of CORPUS) {
  const pair = buildPair(prog.name, outDir);
  if (!pair.ts.ok || !pair.c.ok) {
    rows.push(`${prog.name}: skipped (${pair.ts.ok ? "" : `tsbpf: ${pair.ts.error}`})`);
    continue;
  }
  const a = disassemble(pair.ts.path);
  const b = disassemble(pair.c.path);
  for (const [tag, path] of [
    ["tsbpf", pair.ts.path],
    ["clang", pair.c.path],
  ] as const) {
    const r = spawnSync("llvm-objdump-19", ["-d", "--no-show-raw-insn", "--mcpu=v4", path]);
    writeFileSync(join(outDir, `${prog.name}.${tag}.txt`), r.stdout);
  }
  const ca = counts(a);
  const cb = counts(b);
  const delta = Object.keys(ca).map((k) => {
    const d = ca[k]! - cb[k]!;
    totals[k] = (totals[k] ?? 0) + d;
    return `${k} ${d >= 0 ? "+" : ""}${d}`;
  });
  const insns = `${countInsns(pair.ts.bytes)} vs ${countInsns(pair.c.bytes)}`;
  rows.push(
    `${prog.name} (${insns}, ${a.functions.length} vs ${b.functions.length} functions): ${delta.join(", ")}`,
  );
}
console.log(rows.join("\n"));
console.log("\ntotal, tsbpf minus clang:");
for (const [k, v] of Object.entries(totals).sort((x, y) => y[1] - x[1]))
  console.log(`  ${k}: ${v}`);
console.log(`\nlistings in ${outDir}`);
