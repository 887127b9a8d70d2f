// Compiles an example the way `tsbpf build` does and loads it into the
// bundled interpreter, as a user's vitest file would; a compile error fails
// the test with the compiler's own diagnostics.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { loadObject, type LoadObjectOptions, type TsbpfObject } from "../../runtime/index.js";

export const EXAMPLES_DIR = join(import.meta.dirname, "..");

/** The object bytes of examples/<name>.ts. */
export function buildExample(name: string): Uint8Array {
  const fileName = join(EXAMPLES_DIR, `${name}.ts`);
  const result = compile({ fileName, text: readFileSync(fileName, "utf8") });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.object || errors.length > 0) {
    throw new Error(
      `${name}.ts did not compile:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`,
    );
  }
  return result.object;
}

export function loadExample(name: string, options: LoadObjectOptions = {}): TsbpfObject {
  return loadObject(buildExample(name), options);
}
