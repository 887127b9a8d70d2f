// Stack bytes per function, as the verifier sees them: the deepest byte
// below r10 that an object's code reaches, read from `llvm-objdump-19 -d`
// (a direct `*(u32 *)(r10 - 0x8)` access, or an address formed as
// `rX = r10; rX += -0x10` and passed on). The same reading serves tsbpf's
// objects and clang's, so the two are compared like for like.
//
//   npx tsx scripts/stack-depth.ts                 # fixtures, examples, bench corpus
//   npx tsx scripts/stack-depth.ts a.ts b.c ...    # chosen files (.c through clang-19)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compile, formatDiagnostic } from "../compiler/index.js";
import { CLANG, clangArgv } from "../bench/lib/objects.js";

const work = mkdtempSync(join(tmpdir(), "stack-depth-"));

/** Deepest r10 offset per function symbol in an object's disassembly. */
export function stackDepths(objectPath: string): Map<string, number> {
  const r = spawnSync("llvm-objdump-19", ["-d", "--no-show-raw-insn", objectPath], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`llvm-objdump-19: ${r.stderr}`);
  const depths = new Map<string, number>();
  let fn = "";
  const framePtr = new Set<string>();
  for (const line of r.stdout.split("\n")) {
    const sym = /^[0-9a-f]+ <([^>]+)>:/.exec(line);
    if (sym) {
      fn = sym[1]!;
      depths.set(fn, 0);
      framePtr.clear();
      continue;
    }
    const text = line.split("\t").slice(1).join(" ").trim();
    if (!fn || !text) continue;
    const deepen = (bytes: number) => depths.set(fn, Math.max(depths.get(fn)!, bytes));
    for (const m of text.matchAll(/\(r10 - (0x[0-9a-f]+)\)/g)) deepen(Number(m[1]));
    const copy = /^(r\d) = r10$/.exec(text);
    const add = /^(r\d) \+= -(0x[0-9a-f]+)$/.exec(text);
    if (copy) framePtr.add(copy[1]!);
    else if (add && framePtr.has(add[1]!)) {
      deepen(Number(add[2]));
      framePtr.delete(add[1]!);
    } else {
      const dst = /^(r\d) /.exec(text);
      if (dst) framePtr.delete(dst[1]!);
    }
  }
  return depths;
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
  return { depths: stackDepths(out), frames };
}

function clang(file: string): Map<string, number> | string {
  const out = join(work, basename(file) + ".clang.o");
  const r = spawnSync(CLANG, clangArgv(file, out), { encoding: "utf8" });
  if (r.status !== 0) return r.stderr.split("\n")[0] ?? "clang failed";
  return stackDepths(out);
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
