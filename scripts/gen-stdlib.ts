// Generates the table-derived half of the stdlib: stdlib/generated/types/*.d.ts (what users
// type-check against) and stdlib/generated/data/*.ts (what the compiler and runtime
// import), all from stdlib/tables/*.json. `generate()` returns the files in memory so that
// test/stdlib/generated.test.ts can fail when the committed output drifts from the tables.
// Usage: npx tsx scripts/gen-stdlib.ts   (npm run gen:stdlib)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as prettier from "prettier";
import { loadTables } from "./stdlib-tables.js";
import * as types from "./stdlib-emit-types.js";
import * as data from "./stdlib-emit-data.js";
import { allCallsSample } from "./stdlib-sample.js";

export const STDLIB_DIR = join(import.meta.dirname, "../stdlib");

export async function generate(): Promise<Map<string, string>> {
  const t = loadTables();
  const raw: [string, string][] = [
    ["generated/types/helpers.d.ts", types.helpersDts(t)],
    ["generated/types/kfuncs.d.ts", types.kfuncsDts(t)],
    ["generated/types/contexts.d.ts", types.contextsDts(t)],
    ["generated/types/constants.d.ts", types.constantsDts(t)],
    ["generated/types/headers.d.ts", types.headersDts(t)],
    ["generated/data/helpers.ts", data.helpersData(t)],
    ["generated/data/kfuncs.ts", data.kfuncsData(t)],
    ["generated/data/contexts.ts", data.contextsData(t)],
    ["generated/data/sections.ts", data.sectionsData(t)],
    ["generated/data/constants.ts", data.constantsData(t)],
    ["../test/fixtures/stdlib/all-calls.ts", allCallsSample(t)],
  ];
  // Formatted with the repo's prettier settings so `prettier --write` leaves them alone.
  const options = (await prettier.resolveConfig(join(STDLIB_DIR, "index.d.ts"))) ?? {};
  const out = new Map<string, string>();
  for (const [rel, text] of raw)
    out.set(rel, await prettier.format(text, { ...options, parser: "typescript" }));
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [rel, text] of await generate()) {
    const path = join(STDLIB_DIR, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${rel}`);
  }
}
