// Compile-time measurements, each in fresh processes as a user would run
// them: one program (`node dist/compiler/cli/main.js build X.ts` vs
// `clang-19 -c X.c`), and the whole corpus (one tsbpf invocation with every
// file vs one clang-19 process per file), runs interleaved, medians taken;
// plus the peak RSS of the one-invocation corpus build (/usr/bin/time -v).

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR } from "../corpus.js";
import { load1 } from "./machine.js";
import { CLANG, clangArgv } from "./objects.js";
import { median } from "./stats.js";

export const CLI = join(import.meta.dirname, "../../dist/compiler/cli/main.js");

export interface Timed {
  tsbpfMs: number;
  clangMs: number;
  ratio: number;
  load: [number, number];
}

export interface CompileTimes {
  one: Timed & { program: string };
  corpus: Timed & { files: number };
  /** Peak RSS of `tsbpf build <every file>` in MB, or why it is unknown. */
  rssMb: number | string;
}

function wallMs(cmd: string, args: string[]): number {
  const t0 = performance.now();
  // Exit status is ignored on purpose: files tsbpf refuses still cost compile time.
  const r = spawnSync(cmd, args, { stdio: "ignore" });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return performance.now() - t0;
}

/** Interleaves the two commands `rounds` times (alternating which goes first); medians. */
function race(ts: () => number, clang: () => number, rounds: number): Timed {
  const load0 = load1();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(ts());
      b.push(clang());
    } else {
      b.push(clang());
      a.push(ts());
    }
  }
  const tsbpfMs = median(a);
  const clangMs = median(b);
  return { tsbpfMs, clangMs, ratio: tsbpfMs / clangMs, load: [load0, load1()] };
}

function peakRssMb(args: string[]): number | string {
  if (!existsSync("/usr/bin/time")) return "n/a (/usr/bin/time missing: apt-get install time)";
  const r = spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { encoding: "utf8" });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? "");
  return m ? Number(m[1]) / 1024 : "n/a (no figure from /usr/bin/time)";
}

export function measureCompileTimes(oneProgram: string, rounds: number): CompileTimes {
  // A scratch copy, so the objects the CLI writes next to its inputs stay out of the tree.
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-bench-cc-"));
  try {
    for (const f of readdirSync(CORPUS_DIR)) {
      if (/\.(ts|c|h)$/.test(f)) copyFileSync(join(CORPUS_DIR, f), join(dir, f));
    }
    const names = readdirSync(dir)
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3))
      .sort();
    const out = (n: string, tag: string) => join(dir, `${n}.${tag}.o`);
    const tsOne = () => wallMs(process.execPath, [CLI, "build", join(dir, `${oneProgram}.ts`)]);
    const cOne = () => wallMs(CLANG, clangArgv(join(dir, `${oneProgram}.c`), out(oneProgram, "c")));
    const one = { ...race(tsOne, cOne, rounds), program: oneProgram };
    const allTs = names.map((n) => join(dir, `${n}.ts`));
    const tsAll = () => wallMs(process.execPath, [CLI, "build", ...allTs]);
    const cAll = () =>
      names.reduce((ms, n) => ms + wallMs(CLANG, clangArgv(join(dir, `${n}.c`), out(n, "c"))), 0);
    const corpus = { ...race(tsAll, cAll, rounds), files: names.length };
    return { one, corpus, rssMb: peakRssMb([CLI, "build", ...allTs]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
