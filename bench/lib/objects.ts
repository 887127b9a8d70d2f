// Builds both objects of a corpus pair: tsbpf in this process (compile(),
// the same code path as `tsbpf build`) and clang-19 as a child, and counts
// the instruction slots each emitted (every executable section, so
// subprograms count; ld_imm64 is two slots, as the kernel counts it).

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readObject } from "../../bpf/elf/index.js";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { CORPUS_DIR } from "../corpus.js";

export const CLANG = "clang-19";
export const CLANG_ARGS = ["-O2", "-g", "-target", "bpf", "-mcpu=v4"];
export const CLANG_INCLUDE = "-I/usr/include/x86_64-linux-gnu";

export type Built = { ok: true; path: string; bytes: Uint8Array } | { ok: false; error: string };

export interface BuiltPair {
  name: string;
  ts: Built;
  c: Built;
}

/** clang-19 -O2 -g -target bpf -mcpu=v4 -c <name>.c -o out (argv shared with the timing runs). */
export function clangArgv(cFile: string, out: string): string[] {
  return [...CLANG_ARGS, CLANG_INCLUDE, "-c", cFile, "-o", out];
}

export function buildClang(name: string, outDir: string): Built {
  const out = join(outDir, `${name}.clang.o`);
  const r = spawnSync(CLANG, clangArgv(join(CORPUS_DIR, `${name}.c`), out), { encoding: "utf8" });
  if (r.error) return { ok: false, error: `${CLANG}: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, error: firstLine(r.stderr) };
  return { ok: true, path: out, bytes: readFileSync(out) };
}

export function buildTsbpf(name: string, outDir: string): Built {
  const fileName = join(CORPUS_DIR, `${name}.ts`);
  let result;
  try {
    result = compile({ fileName, text: readFileSync(fileName, "utf8") });
  } catch (e) {
    return { ok: false, error: `compiler crashed: ${(e as Error).message}` };
  }
  const firstError = result.diagnostics.find((d) => d.severity === "error");
  if (!result.object || firstError) {
    const d = firstError ?? result.diagnostics[0];
    return { ok: false, error: d ? firstLine(formatDiagnostic(d)) : "no object" };
  }
  const out = join(outDir, `${name}.tsbpf.o`);
  writeFileSync(out, result.object);
  return { ok: true, path: out, bytes: result.object };
}

export function buildPair(name: string, outDir: string): BuiltPair {
  mkdirSync(outDir, { recursive: true });
  return { name, ts: buildTsbpf(name, outDir), c: buildClang(name, outDir) };
}

/** Instruction slots in every executable section of the object. */
export function countInsns(object: Uint8Array): number {
  return readObject(object).programs.reduce((n, p) => n + p.size / 8, 0);
}

/** "file:1:2 - error TSB3006: message" without the path, for a table cell. */
function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "failed";
  return line.replace(/^.*?\s-\s(error|warning)\s/, "").trim();
}
