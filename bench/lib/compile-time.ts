// Compile-time measurements, each in fresh processes as a user would run
// them: one program (`tsbpf build X.ts` vs `clang-19 -c X.c`), and the whole
// corpus (one tsbpf invocation with every file vs one clang-19 process per
// file), runs interleaved, medians taken; plus the peak RSS of the
// one-invocation corpus build. `tsbpf` is bin/tsbpf, the installed command:
// node started from the snapshot `npm run build` makes (dist/snapshot/). The
// plain `node dist/compiler/cli/main.js` (no snapshot) is timed beside it for
// the one-program figure. Each child runs
// under bash, whose `times` gives its CPU time (user + sys) besides the
// wall time, and /usr/bin/time, which gives its peak RSS: on this shared, overloaded machine the wall time mostly
// measures the wait for a CPU, so the targets are judged on CPU time.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CORPUS_DIR } from "../corpus.js";
import { load1 } from "./machine.js";
import { CLANG, clangArgv } from "./objects.js";
import { median } from "./stats.js";

export const CLI = join(import.meta.dirname, "../../dist/compiler/cli/main.js");
export const LAUNCHER = join(import.meta.dirname, "../../bin/tsbpf");
const TIME = "/usr/bin/time";

export interface Timed {
  /** Medians of CPU time (user + sys; NaN if bash gave none) and wall time, in ms. */
  tsbpfMs: number;
  clangMs: number;
  ratio: number;
  tsbpfWallMs: number;
  clangWallMs: number;
  wallRatio: number;
  load: [number, number];
}

export interface CompileTimes {
  /** plainMs: the CPU time median of `node dist/compiler/cli/main.js build` (no snapshot). */
  one: Timed & { program: string; plainMs: number };
  corpus: Timed & { files: number };
  /** Peak RSS of `tsbpf build <every file>` in MB, or why it is unknown. */
  rssMb: number | string;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssKb: number;
}

function runTimed(cmd: string, args: string[], scratch: string): Sample {
  const hasTime = existsSync(TIME);
  const out = join(scratch, "time.txt");
  const inner = hasTime ? [TIME, "-f", "%M", "-o", out, cmd, ...args] : [cmd, ...args];
  // The CPU time comes from bash's `times` (its children's user and sys, to
  // the millisecond): /usr/bin/time rounds them to 10 ms, a sixth of clang's
  // whole compile. /usr/bin/time stays for the peak RSS; its own CPU time
  // (under 1 ms) counts on both sides alike.
  const script = '"$@" >/dev/null 2>&1; times';
  const t0 = performance.now();
  // Exit status is ignored on purpose: files tsbpf refuses still cost compile time.
  const r = spawnSync("bash", ["-c", script, "bash", ...inner], { encoding: "utf8" });
  const wallMs = performance.now() - t0;
  if (r.error) throw new Error(`bash (to time ${cmd}): ${r.error.message}`);
  // `times` prints the shell's own times, then its children's: "0m0.190s 0m0.060s".
  const children = r.stdout.trim().split("\n").pop() ?? "";
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(children);
  const cpuMs = m
    ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000
    : NaN;
  // The last line: "Command exited with non-zero status" may come first.
  const rssKb = hasTime ? Number(readFileSync(out, "utf8").trim().split("\n").pop()) : NaN;
  return { wallMs, cpuMs, rssKb };
}

function sum(samples: Sample[]): Sample {
  return samples.reduce(
    (a, s) => ({ wallMs: a.wallMs + s.wallMs, cpuMs: a.cpuMs + s.cpuMs, rssKb: a.rssKb }),
    { wallMs: 0, cpuMs: 0, rssKb: NaN },
  );
}

/** Interleaves the two commands `rounds` times (alternating which goes first); medians. */
function race(ts: () => Sample, clang: () => Sample, rounds: number): Timed & { rssKb: number } {
  const load0 = load1();
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      a.push(ts());
      b.push(clang());
    } else {
      b.push(clang());
      a.push(ts());
    }
  }
  const tsbpfMs = median(a.map((s) => s.cpuMs));
  const clangMs = median(b.map((s) => s.cpuMs));
  const tsbpfWallMs = median(a.map((s) => s.wallMs));
  const clangWallMs = median(b.map((s) => s.wallMs));
  return {
    tsbpfMs,
    clangMs,
    ratio: tsbpfMs / clangMs,
    tsbpfWallMs,
    clangWallMs,
    wallRatio: tsbpfWallMs / clangWallMs,
    load: [load0, load1()],
    rssKb: Math.max(...a.map((s) => s.rssKb)),
  };
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
    const tsbpf = (args: string[]) => runTimed(LAUNCHER, ["build", ...args], dir);
    const plain = (args: string[]) => runTimed(process.execPath, [CLI, "build", ...args], dir);
    const clang = (n: string) =>
      runTimed(CLANG, clangArgv(join(dir, `${n}.c`), join(dir, `${n}.c.o`)), dir);
    const oneFile = join(dir, `${oneProgram}.ts`);
    const plainSamples: Sample[] = [];
    const { rssKb: _, ...one } = race(
      () => {
        plainSamples.push(plain([oneFile]));
        return tsbpf([oneFile]);
      },
      () => clang(oneProgram),
      rounds,
    );
    const { rssKb, ...corpus } = race(
      () => tsbpf(names.map((n) => join(dir, `${n}.ts`))),
      () => sum(names.map(clang)),
      rounds,
    );
    const rssMb = Number.isFinite(rssKb)
      ? rssKb / 1024
      : "n/a (/usr/bin/time missing: apt-get install time)";
    return {
      one: { ...one, program: oneProgram, plainMs: median(plainSamples.map((s) => s.cpuMs)) },
      corpus: { ...corpus, files: names.length },
      rssMb,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
