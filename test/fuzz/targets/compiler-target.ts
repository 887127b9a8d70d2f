// Compiler fuzz target: compile() must end in an object or in diagnostics
// for any text. compile() turns its own exceptions into TSB9001 "internal
// compiler error" diagnostics, so a TSB9001 counts as a crash here too:
// it is a bug, only wrapped.

import { compile } from "../../../compiler/index.js";

export class InternalCompilerError extends Error {
  override readonly name = "InternalCompilerError";
}

export function compilerTarget(input: Buffer | string): string {
  const text = typeof input === "string" ? input : input.toString("utf8");
  const r = compile({ fileName: "fuzz.ts", text });
  const ice = r.diagnostics.find((d) => d.code === "TSB9001");
  if (ice) throw new InternalCompilerError(`TSB9001 ${ice.message}`);
  if (r.object) return "object";
  if (!r.diagnostics.length) throw new Error("compile() gave neither an object nor a diagnostic");
  return `diagnostics ${r.diagnostics[0]!.code}`;
}
