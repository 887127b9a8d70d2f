// Part 2's rejection corpus: each file under test/fixtures/compiler-maps/reject
// marks its expected diagnostics inline (`// error: TSB5003`); the compiler
// must report exactly those (line and code), and never throw.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { DIR } from "./harness.js";

const REJECT = join(DIR, "reject");

describe("part 2 rejection corpus", () => {
  for (const file of readdirSync(REJECT).filter((f) => f.endsWith(".ts"))) {
    it(file, () => {
      const text = readFileSync(join(REJECT, file), "utf8");
      const expected = text
        .split("\n")
        .flatMap((l, i) =>
          [...l.matchAll(/\/\/ error: (TSB\d{4})/g)].map((m) => `${i + 1}:${m[1]}`),
        );
      expect(expected.length).toBeGreaterThan(0);
      const r = compile({ fileName: file, text });
      expect(r.object).toBeUndefined();
      const got = r.diagnostics.map((d) => `${d.line}:${d.code}`);
      expect(got.sort()).toEqual(expected.sort());
    });
  }
});
