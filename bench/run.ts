// `npm run bench`: builds every corpus pair (tsbpf and clang-19), counts
// instructions, loads both through the kernel's verifier, checks they agree
// on the packet set, times them under BPF_PROG_TEST_RUN (interleaved) and
// in the bundled interpreter, times compilation and the compiler's peak
// RSS, prints one table and writes bench/results/latest.{md,json}.
// Options: --quick (fewer rounds and repeats), --only a,b (some programs),
// --no-compile (skip compile-time and RSS). Three sections run alone:
// --only vm (the interpreter's tight loop, bench/vm-loop.ts, with uBPF),
// --only interp (every program's interpreter time against the kernel JIT's,
// nothing else) and --only compile (compile time and RSS, no kernel runs).
// Partial runs print without replacing results/.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as prettier from "prettier";
import { join } from "node:path";
import { detectKernel } from "../runtime/kernel/index.js";
import { CORPUS, type BenchProgram } from "./corpus.js";
import { measureCompileTimes } from "./lib/compile-time.js";
import { ensureDist } from "./lib/dist.js";
import { compareOnPackets, loadProgram, type Loaded } from "./lib/kernel.js";
import { describeMachine, load1 } from "./lib/machine.js";
import { interpreterAllocation } from "./lib/alloc.js";
import { interpreterTimeInChild } from "./lib/interp-child.js";
import { kernelTimeOne, kernelTimes } from "./lib/measure.js";
import { buildPair, countInsns } from "./lib/objects.js";
import { formatLoop, measureLoop } from "./vm-loop.js";
import { renderMarkdown, type BenchResults, type ProgramResult } from "./lib/report.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const onlyAt = argv.indexOf("--only");
const onlyArg = onlyAt >= 0 ? (argv[onlyAt + 1] ?? "") : undefined;
/** A section run alone: "vm" (tight loop), "interp" (interpreter vs JIT per program), "compile". */
const section =
  onlyArg === "vm" || onlyArg === "interp" || onlyArg === "compile" ? onlyArg : undefined;
const only = onlyArg !== undefined && !section ? new Set(onlyArg.split(",")) : undefined;
const settings = quick
  ? {
      rounds: 3,
      repeat: 20_000,
      kernelCopies: 2,
      interpRepeat: 200,
      interpWarmupMs: 300,
      compileRounds: 3,
      alloc: { packets: 20_000, repeat: 2_000, calls: 200 },
    }
  : {
      rounds: 7,
      repeat: 200_000,
      kernelCopies: 3,
      interpRepeat: 2_000,
      interpWarmupMs: 1_000,
      compileRounds: 5,
      alloc: { packets: 100_000, repeat: 10_000, calls: 1_000 },
    };
/** The one-program compile-time figure uses the first program tsbpf compiles, else this one. */
const FALLBACK_ONE_PROGRAM = "parse_v4";

const firstLine = (e: unknown) =>
  (e instanceof Error ? e.message : String(e)).split("\n").find((l) => l.trim()) ?? "?";

async function tryLoad(path: string, prog: BenchProgram): Promise<Loaded | string> {
  try {
    return await loadProgram(path, prog);
  } catch (e) {
    return firstLine(e);
  }
}

/** More loads of both objects, each with its own JIT image (see kernelTimes). */
async function loadCopies(
  tsPath: string,
  cPath: string,
  prog: BenchProgram,
  n: number,
): Promise<{ ts: Loaded[]; c: Loaded[] }> {
  const copies: { ts: Loaded[]; c: Loaded[] } = { ts: [], c: [] };
  try {
    for (let i = 0; i < n; i++) {
      copies.ts.push(await loadProgram(tsPath, prog));
      copies.c.push(await loadProgram(cPath, prog));
    }
  } catch (e) {
    for (const l of [...copies.ts, ...copies.c]) l.handle.dispose();
    throw e;
  }
  return copies;
}

async function measureProgram(prog: BenchProgram, outDir: string): Promise<ProgramResult> {
  const pair = buildPair(prog.name, outDir);
  const r: ProgramResult = {
    name: prog.name,
    kind: prog.kind,
    packets: prog.packets.length,
    insns: {
      ...(pair.ts.ok ? { ts: countInsns(pair.ts.bytes) } : {}),
      ...(pair.c.ok ? { c: countInsns(pair.c.bytes) } : {}),
    },
    verifier: {},
    status: "ok",
  };
  if (!pair.c.ok) r.status = `clang-19 failed: ${pair.c.error}`;
  else if (!pair.ts.ok) r.status = `not compiled: ${pair.ts.error}`;
  const kernel = detectKernel();
  if (!kernel.available) {
    if (r.status === "ok") r.status = `kernel: ${kernel.reason}`;
    return r;
  }
  if (!pair.c.ok) return r;
  const c = await tryLoad(pair.c.path, prog);
  const tsPath = pair.ts.ok ? pair.ts.path : undefined;
  const ts = tsPath ? await tryLoad(tsPath, prog) : undefined;
  try {
    if (typeof c === "string") r.status = `clang object rejected: ${c}`;
    else r.verifier.c = c.verifierInsns;
    if (typeof ts === "string") r.status = `tsbpf object rejected: ${ts}`;
    else if (ts) r.verifier.ts = ts.verifierInsns;
    if (typeof c !== "string" && tsPath && ts && typeof ts !== "string" && section !== "interp") {
      const agreement = await compareOnPackets(prog, ts, c);
      if (!agreement.same) {
        r.status = "MISMATCH";
        r.differences = agreement.differences;
      } else {
        const load0 = load1();
        const extra = await loadCopies(tsPath, pair.c.path, prog, settings.kernelCopies - 1);
        try {
          const k = await kernelTimes(prog, [ts, ...extra.ts], [c, ...extra.c], settings);
          r.kernel = { ...k, load: [load0, load1()] };
        } finally {
          for (const l of [...extra.ts, ...extra.c]) l.handle.dispose();
        }
      }
    }
    // The interpreter runs tsbpf's object when there is one, else clang's.
    const side = ts && typeof ts !== "string" ? ts : typeof c !== "string" ? c : undefined;
    const [object, objectPath] =
      side === ts && pair.ts.ok ? [pair.ts.bytes, pair.ts.path] : [pair.c.bytes, pair.c.path];
    if (side) {
      const load0 = load1();
      const it = interpreterTimeInChild(objectPath, prog.name, {
        rounds: settings.rounds,
        repeat: settings.interpRepeat,
        warmupMs: settings.interpWarmupMs,
      });
      if (!it.ok) r.interp = { error: it.error };
      else {
        const jitNs =
          r.kernel && side === ts ? r.kernel.tsNs : await kernelTimeOne(prog, side, settings);
        const which = side === ts ? "tsbpf" : "clang";
        r.interp = {
          ns: it.ns,
          singleNs: it.singleNs,
          instructions: it.instructions,
          jitNs,
          object: which,
          load: [load0, load1()],
        };
      }
      const alloc = interpreterAllocation(object, prog, {
        ...settings.alloc,
        warmupMs: settings.interpWarmupMs,
      });
      r.alloc = alloc.ok ? alloc : { error: alloc.error };
    }
  } finally {
    if (typeof c !== "string") c.handle.dispose();
    if (ts && typeof ts !== "string") ts.handle.dispose();
  }
  return r;
}

/** Which compiler and runtime were measured: the commit, and whether their sources had local edits. */
function sourceState(): string {
  const git = (args: string[]) =>
    spawnSync("git", args, { cwd: import.meta.dirname, encoding: "utf8" }).stdout?.trim() ?? "";
  const head = git(["rev-parse", "--short", "HEAD"]) || "unknown";
  const dirty = git([
    "status",
    "--porcelain",
    "--",
    "../compiler",
    "../runtime",
    "../bpf",
    "../stdlib",
  ]);
  const n = dirty ? dirty.split("\n").length : 0;
  return `sources: commit ${head}${n ? `, plus ${n} uncommitted changes in compiler/runtime/bpf/stdlib (measured as they were)` : ""}`;
}

async function formatFor(path: string, text: string): Promise<string> {
  const config = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...config, filepath: path });
}

async function main(): Promise<void> {
  const machine = describeMachine();
  console.log(
    `bench: ${machine.date}, load ${machine.loadavg.join(", ")}, ${quick ? "quick" : "full"} run`,
  );
  if (section === "vm") {
    console.log(formatLoop(measureLoop(quick ? 5_000_000 : 20_000_000)));
    return;
  }
  const notes: string[] = [sourceState()];
  const skipCompile = argv.includes("--no-compile") || section === "interp";
  const distNote = skipCompile ? "" : ensureDist();
  if (distNote) notes.push(distNote);
  const outDir = mkdtempSync(join(tmpdir(), "tsbpf-bench-"));
  const programs: ProgramResult[] = [];
  try {
    for (const prog of section === "compile" ? [] : CORPUS) {
      if (only && !only.has(prog.name)) continue;
      const t0 = performance.now();
      const r = await measureProgram(prog, outDir);
      programs.push(r);
      console.log(
        `  ${prog.name}: ${r.status} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  const results: BenchResults = { machine, settings, notes, programs };
  if (!section) {
    console.log("  interpreter tight loop...");
    results.loop = measureLoop(quick ? 5_000_000 : 20_000_000);
    console.log(formatLoop(results.loop));
  }
  if (!skipCompile) {
    console.log("  compile times...");
    const one = programs.find((r) => r.insns.ts !== undefined)?.name ?? FALLBACK_ONE_PROGRAM;
    results.compile = measureCompileTimes(one, settings.compileRounds);
  }
  const md = renderMarkdown(results);
  console.log(`\n${md}`);
  // A partial run (--only) must not replace the committed table of the whole corpus.
  if (only || section) return;
  const dir = join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  // Written prettier-formatted, so `npm run format:check` stays clean after a run.
  const mdPath = join(dir, "latest.md");
  const json = join(dir, "latest.json");
  writeFileSync(mdPath, await formatFor(mdPath, md));
  writeFileSync(json, await formatFor(json, JSON.stringify(results, null, 2)));
}

await main();
