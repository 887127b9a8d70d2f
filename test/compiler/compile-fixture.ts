// Compiles a fixture file for the tests and writes the object to a temp dir.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compile, type CompileResult, formatDiagnostic } from "../../compiler/index.js";

export const FIXTURES = join(import.meta.dirname, "../fixtures/compiler");

export function compileFile(path: string): CompileResult {
  return compile({ fileName: path, text: readFileSync(path, "utf8") });
}

/** Compile, fail with the formatted diagnostics if any, and write the .o. */
export function buildObject(path: string): { objPath: string; result: CompileResult } {
  const result = compileFile(path);
  if (!result.object)
    throw new Error(result.diagnostics.map(formatDiagnostic).join("\n") || "no object");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-compiler-"));
  const objPath = join(dir, basename(path).replace(/\.ts$/, ".o"));
  writeFileSync(objPath, result.object);
  return { objPath, result };
}
