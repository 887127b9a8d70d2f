// The rejection corpus: every file under test/fixtures/compiler/reject marks
// the diagnostics it must produce inline (`// error: TSB1001, TSB1000` on the
// offending line). The runner checks both directions, by line and code:
// every marked error is reported there, and nothing unmarked is reported;
// and the compiler never throws or reports an internal error.
// Reproduce one: npx tsx -e "import {compile,formatDiagnostic} from './compiler/index.js'; ..."

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { FIXTURES } from "./compile-fixture.js";

const DIR = join(FIXTURES, "reject");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".ts"))
  .sort();

/**
 * `line:code` pairs the fixture marks. A marker after code applies to its own
 * line; a marker alone on its line applies to the line above (where prettier
 * moves a comment that followed an opening brace).
 */
function expected(text: string): string[] {
  const out: string[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    const m = /\/\/\s*error:\s*(.*)$/.exec(line);
    if (!m) return;
    let at = i;
    if (/^\s*\/\//.test(line)) while (at > 0 && lines[at - 1]!.trim() === "") at--;
    if (/^\s*\/\//.test(line)) at--;
    for (const code of m[1]!.split(/[\s,]+/).filter(Boolean)) out.push(`${at + 1}:${code}`);
  });
  return [...new Set(out)].sort();
}

describe("rejection corpus", () => {
  it("has at least 40 programs", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  for (const f of files) {
    it(f, () => {
      const path = join(DIR, f);
      const text = readFileSync(path, "utf8");
      const want = expected(text);
      expect(want.length, "the fixture marks at least one error").toBeGreaterThan(0);
      let r: ReturnType<typeof compile> | undefined;
      expect(() => (r = compile({ fileName: path, text }))).not.toThrow();
      const diags = r!.diagnostics;
      const formatted = diags.map(formatDiagnostic).join("\n");
      expect(
        diags.filter((d) => d.code === "TSB9001"),
        formatted,
      ).toEqual([]);
      const got = [
        ...new Set(diags.filter((d) => d.file === path).map((d) => `${d.line}:${d.code}`)),
      ].sort();
      expect(got, formatted).toEqual(want);
      expect(r!.object).toBeUndefined();
    });
  }
});
