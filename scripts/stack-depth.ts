// Stack bytes per function of tsbpf's objects and clang's, read the same way
// from `llvm-objdump-19 -d` (bench/lib/stack-depth.ts); for tsbpf also the
// compiler's own frame size (what TSB4004/TSB4007 check). Set
// TSBPF_NO_STACK_PACKING=1 for the figures without stack slot sharing.
//
//   npx tsx scripts/stack-depth.ts                 # fixtures, examples, bench corpus
//   npx tsx scripts/stack-depth.ts a.ts b.c ...    # chosen files (.c through clang-19)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compile, formatDiagnostic } from "../compiler/index.js";
import { CLANG, clangArgv } from "../bench/lib/objects.js";
import { OBJDUMP_ARGS, stackDepths } from "../bench/lib/stack-depth.js";

const work = mkdtempSync(join(tmpdir(), "stack-depth-"));

/** llvm-objdump-19 over an object, read by bench/lib/stack-depth.ts. */
function depthsOf(objectPath: string): Map<string, number> {
  const r = spawnSync("llvm-objdump-19", [...OBJDUMP_ARGS, objectPath], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`llvm-objdump-19: ${r.stderr}`);
  return stackDepths(r.stdout);
}

/** tsbpf: the object's depths plus the compiler's own frame size per function. */
function tsbpf(
  file: string,
): { depths: Map<string, number>; frames: Map<string, number> } | string {
  const result = compile({ fileName: file, text: readFileSync(file, "utf8") });
  const err = result.diagnostics.find((d) => d.severity === "error");
  if (!result.object || err) return formatDiagnostic(err ?? result.diagnostics[0]!).split("\n")[0]!;
  const out = join(work, basename(file) + ".o");
  writeFileSync(out, result.object);
  const m = result.module!;
  const frames = new Map([...m.programs, ...m.subprograms].map((f) => [f.name, f.frameSize]));
  return { depths: depthsOf(out), frames };
}

function clang(file: string): Map<string, number> | string {
  const out = join(work, basename(file) + ".clang.o");
  const r = spawnSync(CLANG, clangArgv(file, out), { encoding: "utf8" });
  if (r.status !== 0) return r.stderr.split("\n")[0] ?? "clang failed";
  return depthsOf(out);
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const max = (m: Map<string, number>) => Math.max(0, ...m.values());
const fmt = (m: Map<string, number>) => [...m].map(([k, v]) => `${k}=${v}`).join(" ");

function report(file: string): void {
  if (file.endsWith(".c")) {
    const c = clang(file);
    console.log(`${file}\tclang\t${typeof c === "string" ? c : `max ${max(c)}\t${fmt(c)}`}`);
    return;
  }
  const t = tsbpf(file);
  if (typeof t === "string") return console.log(`${file}\ttsbpf\terror: ${t}`);
  const line = `max ${max(t.depths)} sum ${sum(t.depths)} frame-max ${max(t.frames)}`;
  console.log(`${file}\ttsbpf\t${line}\t${fmt(t.depths)}`);
}

const dirFiles = (dir: string, ext: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext) && !f.endsWith(".test.ts"))
    .sort()
    .map((f) => join(dir, f));

const args = process.argv.slice(2);
const files = args.length
  ? args
  : [
      ...dirFiles("test/fixtures/compiler/programs", ".ts"),
      ...dirFiles("examples", ".ts"),
      ...dirFiles("bench/corpus", ".ts").flatMap((f) => [f, f.replace(/\.ts$/, ".c")]),
    ];
for (const f of files) report(f);
