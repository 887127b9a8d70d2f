// Every example program type-checks as a user's editor checks it: plain tsc
// with stdlib/tsconfig.programs.json's options (no default lib, no @types,
// "tsbpf" -> the stdlib), so the examples stay valid TypeScript as the
// stdlib changes. (Test files and support/ are Node code, checked by the
// root tsconfig.json instead.)

import { readdirSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const programs = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => join(import.meta.dirname, f));

describe("examples type-check against the stdlib alone", () => {
  it("finds the example programs", () => {
    expect(programs.length).toBeGreaterThanOrEqual(10);
  });

  it("has no TypeScript errors in any of them", () => {
    const configPath = join(root, "stdlib/tsconfig.programs.json");
    const config = ts.readConfigFile(configPath, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(root, "stdlib"));
    const program = ts.createProgram(programs, parsed.options);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file
        ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
        : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
    expect(errors).toEqual([]);
  });
});
