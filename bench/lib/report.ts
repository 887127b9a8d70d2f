// The results of one bench run and their rendering: one Markdown table,
// one row per corpus program plus the geometric means, then the issue's
// targets marked MET / NOT MET. Every figure is a ratio measured in this
// run; absolute values sit beside the ratios so they can be checked.

import type { CompileTimes, Timed } from "./compile-time.js";
import type { Machine } from "./machine.js";
import type { LoopResults } from "../vm-loop.js";
import { fmtRatio, geomean } from "./stats.js";

export interface Pair {
  ts?: number;
  c?: number;
}

export interface ProgramResult {
  name: string;
  kind: string;
  packets: number;
  insns: Pair;
  verifier: Pair;
  kernel?: { tsNs: number; cNs: number; ratio: number; load: [number, number] };
  interp?:
    | {
        /** Per packet with repeat, as the kernel's time is measured. */
        ns: number;
        /** One plain run({ packet }) call per packet, set-up included. */
        singleNs?: number;
        /** BPF instructions per packet. */
        instructions?: number;
        jitNs: number;
        object: "tsbpf" | "clang";
        load: [number, number];
      }
    | { error: string };
  /** What the interpreter allocates on the JS heap (lib/alloc.ts). */
  alloc?:
    | { bytesPerPacket: number; gcs: number; packets: number; bytesPerCall: number }
    | { error: string };
  /** "ok", "MISMATCH", "not compiled: <first diagnostic>", "kernel: <why not>", ... */
  status: string;
  differences?: string[];
}

export interface BenchResults {
  machine: Machine;
  settings: {
    rounds: number;
    repeat: number;
    interpRepeat: number;
    /** CPU ms of untimed interpreter passes before the timed rounds (absent in older results). */
    interpWarmupMs?: number;
    compileRounds: number;
    alloc?: { packets: number; repeat: number; calls: number };
  };
  notes: string[];
  programs: ProgramResult[];
  compile?: CompileTimes;
  /** The interpreter's tight loop (bench/vm-loop.ts). */
  loop?: LoopResults;
}

const ratio = (p: Pair) => (p.ts !== undefined && p.c ? p.ts / p.c : undefined);
const comparable = (r: ProgramResult) => r.status === "ok" || r.status.startsWith("kernel:");
const interpRatio = (r: ProgramResult) =>
  r.interp && "ns" in r.interp ? r.interp.ns / r.interp.jitNs : undefined;

function pairCell(p: Pair, r: ProgramResult, digits = 0): string {
  const x = ratio(p);
  const abs = `${p.ts?.toFixed(digits) ?? "-"} / ${p.c?.toFixed(digits) ?? "-"}`;
  return x === undefined || !comparable(r) ? abs : `**${fmtRatio(x)}** (${abs})`;
}

function interpCell(r: ProgramResult): string {
  if (!r.interp) return "-";
  if ("error" in r.interp) return `n/a: ${r.interp.error}`;
  const tag = r.interp.object === "clang" ? " [clang .o]" : "";
  const single =
    r.interp.singleNs === undefined ? "" : `; single run ${r.interp.singleNs.toFixed(0)} ns`;
  return `**${fmtRatio(interpRatio(r), 1)}** (${r.interp.ns.toFixed(0)} / ${r.interp.jitNs.toFixed(1)} ns${single}; load ${r.interp.load.join("→")})${tag}`;
}

export interface Summary {
  insns: { value: number; n: number; max: number; maxName: string };
  verifier: { value: number; n: number };
  kernel: { value: number; n: number };
  interp: { value: number; n: number; max: number };
}

export function summarize(res: BenchResults): Summary {
  const ok = res.programs.filter(comparable);
  const insnRatios = ok.map((r) => ratio(r.insns));
  let max = NaN;
  let maxName = "-";
  ok.forEach((r, i) => {
    const x = insnRatios[i];
    if (x !== undefined && !(x <= max)) [max, maxName] = [x, r.name];
  });
  const interps = res.programs.map(interpRatio).filter((x): x is number => x !== undefined);
  return {
    insns: { ...geomean(insnRatios), max, maxName },
    verifier: geomean(ok.map((r) => ratio(r.verifier))),
    kernel: geomean(res.programs.filter((r) => r.status === "ok").map((r) => r.kernel?.ratio)),
    interp: { ...geomean(interps), max: interps.length ? Math.max(...interps) : NaN },
  };
}

/**
 * Bytes per packet the allocation target counts as nothing: a real
 * allocation is 16 bytes or more; what is left is V8's own heap growth in
 * a stretch that the difference of two stretches did not cancel.
 */
const ALLOC_NOTHING = 1;

/** The allocation section: per program, bytes per packet in steady state and per plain call. */
function renderAllocation(res: BenchResults): string[] {
  const a = res.settings.alloc;
  const out = ["", "## Interpreter allocation (JS heap)", ""];
  if (a) {
    out.push(
      `Bytes allocated = heap growth + what each GC freed (v8.GCProfiler), after a warm-up. Per packet: the same calls (the packet set in turn, covering ${a.packets} packets) with repeat ${a.repeat} and with 10x that, the difference over the extra packets, median of three pairs: each call's own part and V8's one-time growth (background recompiles) cancel (lib/alloc.ts). Per call: ${a.calls} plain run({ packet }) calls.`,
      "",
    );
  }
  out.push("| program | bytes/packet | GCs | bytes per run() call |", "|---|---|---|---|");
  for (const r of res.programs) {
    if (!r.alloc) continue;
    if ("error" in r.alloc) out.push(`| ${r.name} | n/a: ${r.alloc.error} | | |`);
    else {
      const x = r.alloc;
      out.push(
        `| ${r.name} | ${x.bytesPerPacket.toFixed(1)} | ${x.gcs} in ${x.packets} packets | ${x.bytesPerCall.toFixed(0)} |`,
      );
    }
  }
  return out;
}

const mark = (met: boolean | undefined) =>
  met === undefined ? "NOT MEASURED" : met ? "MET" : "NOT MET";

export function renderMarkdown(res: BenchResults): string {
  const m = res.machine;
  const s = summarize(res);
  const total = res.programs.length;
  const out: string[] = [];
  out.push(`# tsbpf vs clang-19: bench results`, "");
  out.push(`- date: ${m.date}`);
  out.push(`- kernel: ${m.kernel}; CPU: ${m.cpu} (${m.cpus} CPUs); node ${m.node}`);
  out.push(
    `- load average at start: ${m.loadavg.join(", ")} (shared machine: timings are noisy; instruction and verifier counts are not)`,
  );
  const st = res.settings;
  out.push(
    `- kernel time: BPF_PROG_TEST_RUN repeat ${st.repeat}, ${st.rounds} interleaved rounds, median of paired ratios; interpreter: repeat ${st.interpRepeat}, ${st.rounds} rounds${st.interpWarmupMs ? ` after ${st.interpWarmupMs} ms of warm-up` : ""}; compile: ${st.compileRounds} interleaved rounds, medians`,
  );
  for (const n of res.notes) out.push(`- note: ${n}`);
  out.push("");
  out.push(
    "| program | kind | instructions tsbpf/clang | verifier insns tsbpf/clang | kernel ns/packet tsbpf/clang | interpreter/JIT ns/packet | check |",
  );
  out.push("|---|---|---|---|---|---|---|");
  for (const r of res.programs) {
    const k = r.kernel
      ? `**${fmtRatio(r.kernel.ratio)}** (${r.kernel.tsNs.toFixed(1)} / ${r.kernel.cNs.toFixed(1)}; load ${r.kernel.load.join("→")})`
      : "-";
    const status = r.status === "ok" ? `ok (same on ${r.packets} packets)` : r.status;
    out.push(
      `| ${r.name} | ${r.kind} | ${pairCell(r.insns, r)} | ${pairCell(r.verifier, r)} | ${k} | ${interpCell(r)} | ${status} |`,
    );
  }
  const g = (x: { value: number; n: number }) => `**${fmtRatio(x.value)}** over ${x.n} of ${total}`;
  out.push(
    `| geometric mean | | ${g(s.insns)} | ${g(s.verifier)} | ${g(s.kernel)} | **${fmtRatio(s.interp.value, 1)}** over ${s.interp.n} of ${total} | |`,
  );
  out.push("", "## Targets (issue 9)", "");
  out.push("| target | measured | status |", "|---|---|---|");
  const ins = s.insns.n > 0;
  out.push(
    `| instructions geomean <= 1.00 | ${fmtRatio(s.insns.value)} (${s.insns.n} of ${total} programs) | ${mark(ins ? s.insns.value <= 1 : undefined)} |`,
  );
  out.push(
    `| no program above 1.15 instructions | max ${fmtRatio(s.insns.max)} (${s.insns.maxName}) | ${mark(ins ? s.insns.max <= 1.15 : undefined)} |`,
  );
  out.push(
    `| verifier insns geomean <= 1.00 | ${fmtRatio(s.verifier.value)} (${s.verifier.n} of ${total}) | ${mark(s.verifier.n ? s.verifier.value <= 1 : undefined)} |`,
  );
  out.push(
    `| kernel time geomean <= 1.02 | ${fmtRatio(s.kernel.value)} (${s.kernel.n} of ${total}) | ${mark(s.kernel.n ? s.kernel.value <= 1.02 : undefined)} |`,
  );
  const c = res.compile;
  // Older results (before bin/tsbpf's snapshot) have no plain figure.
  const plainNote = (t: { plainMs?: number; clangMs: number }) =>
    t.plainMs === undefined
      ? ""
      : `; without the snapshot (node dist/compiler/cli/main.js) CPU ${fmtRatio(t.plainMs / t.clangMs)} (${t.plainMs.toFixed(0)} ms)`;
  const cc = (t: Timed) =>
    `CPU ${fmtRatio(t.ratio)} (${t.tsbpfMs.toFixed(0)} / ${t.clangMs.toFixed(0)} ms); wall ${fmtRatio(t.wallRatio)} (${t.tsbpfWallMs.toFixed(0)} / ${t.clangWallMs.toFixed(0)} ms); load ${t.load.join("→")}`;
  out.push(
    c
      ? `| compile one program <= 2x clang (CPU time) | ${c.one.program}: ${cc(c.one)}${plainNote(c.one)} | ${mark(c.one.ratio <= 2)} |`
      : "| compile one program <= 2x clang | - | NOT MEASURED |",
  );
  out.push(
    c
      ? `| corpus in one invocation faster than one clang per file (CPU time) | ${c.corpus.files} files: ${cc(c.corpus)} | ${mark(c.corpus.ratio < 1)} |`
      : "| corpus in one invocation faster than one clang per file | - | NOT MEASURED |",
  );
  out.push(
    `| interpreter per packet within 5x of the JIT | geomean ${fmtRatio(s.interp.value, 1)}, max ${fmtRatio(s.interp.max, 1)} (${s.interp.n} of ${total}) | ${mark(s.interp.n ? s.interp.max <= 5 : undefined)} |`,
  );
  const loop = res.loop;
  if (loop) {
    const ubpf = "cpu" in loop.ubpf ? loop.ubpf : undefined;
    const beside = ubpf ? `; uBPF's C interpreter ${ubpf.cpu.toFixed(0)} in the same run` : "";
    const at = `N=${loop.n}, CPU time, load ${loop.load.join("→")}`;
    out.push(
      `| reference interpreter >= 220 M insn/s (tight loop) | ${loop.interpret.cpu.toFixed(0)} M/s (${at}${beside}) | ${mark(loop.interpret.cpu >= 220)} |`,
      `| translating tier >= 1000 M insn/s (tight loop) | ${loop.translate.cpu.toFixed(0)} M/s (${at}) | ${mark(loop.translate.cpu >= 1000)} |`,
    );
  }
  const allocs = res.programs.flatMap((r) =>
    r.alloc && "bytesPerPacket" in r.alloc ? [{ name: r.name, ...r.alloc }] : [],
  );
  if (allocs.length) {
    const worst = allocs.reduce((a, b) => (b.bytesPerPacket > a.bytesPerPacket ? b : a));
    out.push(
      `| interpreter allocates nothing per packet (< ${ALLOC_NOTHING} byte, steady state) | max ${worst.bytesPerPacket.toFixed(1)} bytes/packet (${worst.name}); ${allocs.filter((a) => a.bytesPerPacket < ALLOC_NOTHING).length} of ${allocs.length} programs under | ${mark(worst.bytesPerPacket < ALLOC_NOTHING)} |`,
    );
  }
  const rss = c?.rssMb;
  out.push(
    typeof rss === "number"
      ? `| compiler peak RSS (corpus, one invocation) < 300 MB | ${rss.toFixed(0)} MB | ${mark(rss < 300)} |`
      : `| compiler peak RSS (corpus, one invocation) < 300 MB | ${rss ?? "-"} | NOT MEASURED |`,
  );
  if (loop?.hash) out.push(...renderHashLoop(loop));
  if (allocs.length) out.push(...renderAllocation(res));
  const diffs = res.programs.filter((r) => r.differences?.length);
  if (diffs.length) {
    out.push("", "## Mismatches", "");
    for (const r of diffs) for (const d of r.differences!) out.push(`- ${r.name}: ${d}`);
  }
  return `${out.join("\n")}\n`;
}

/**
 * The second loop of bench/vm-loop.ts: the reference interpreter fuses the
 * sum loop's three instructions into one dispatch, so its figure is shown
 * beside a loop where only the add + jump pair fuses.
 */
function renderHashLoop(loop: LoopResults): string[] {
  const rate = (r: LoopResults["ubpf"]) => ("cpu" in r ? `${r.cpu.toFixed(0)} M/s` : "-");
  const rows: [string, LoopResults["ubpf"]][] = [
    ["reference interpreter", loop.hash.interpret],
    ["translating tier", loop.hash.translate],
    ["uBPF interpreter (C)", loop.hash.ubpf],
  ];
  return [
    "",
    "## A second loop: FNV-1a, six instructions per iteration",
    "",
    `Not an issue target. The sum loop's add + add + jump is one dispatch in the reference interpreter; here only the add + jump pair fuses. N=${loop.n}, CPU time, same run.`,
    "",
    "| engine | CPU |",
    "| --- | --- |",
    ...rows.map(([name, r]) => `| ${name} | ${rate(r)} |`),
  ];
}
