// Type-checks fixture programs against the stdlib alone (stdlib/tsconfig.programs.json's
// options: no default lib, no @types, "tsbpf" -> stdlib/index.d.ts) with the compiler API,
// and reads `//! TSnnnn` markers: the errors a fixture line must produce.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export const ROOT = join(import.meta.dirname, "../..");
export const FIXTURES = join(ROOT, "test/fixtures/stdlib");

export function programFor(files: string[]): ts.Program {
  const configPath = join(ROOT, "stdlib/tsconfig.programs.json");
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(ROOT, "stdlib"));
  return ts.createProgram(files, parsed.options);
}

/** "line:TScode" for every diagnostic of `file` (1-based lines). */
export function errorsOf(program: ts.Program, file: string): string[] {
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`not in program: ${file}`);
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map(
    (d) => `${sf.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}:TS${d.code}`,
  );
}

/** "line:TScode" for every `//! TSnnnn` marker in the file. */
export function expectedOf(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .flatMap((l, i) => [...l.matchAll(/\/\/! (TS\d+)/g)].map((m) => `${i + 1}:${m[1]}`));
}
