// `npx tsx scripts/fuzz-sweep.ts --seeds 1-200 [--sources 2] [--from N] [--jobs 2] [--out DIR]
// [--timeout S] [--verify]`:
// a compile-only sweep of the generated-program campaign. For each seed it
// generates the campaign's first sources exactly as `npm run fuzz` would
// (test/fuzz/program/campaign.ts sourceStream: same names, same order) and
// compiles them, with no kernel: a generator bug (a source TypeScript or the
// compiler refuses) or a compiler crash shows in seconds per seed instead of
// a kernel run. Prints one line per failing source (and saves its text under
// --out), then `N passed, M failed` (sources); exits 1 when any failed.
// --from N starts at source N (`--seed S --from 303 --sources 1` replays the
// campaign's source s303 alone). --verify also loads every object with
// bpftool, so the kernel's verifier checks it (a refusal fails the source),
// and prints the largest processed-instruction count of the sweep.
// `npm run fuzz` seeds its program campaign with --seed itself.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadWithBpftool } from "../runtime/kernel/index.js";
import { compileFailure, sourceStream } from "../test/fuzz/program/campaign.js";
import { CompileClient } from "../test/fuzz/program/compile-client.js";
import { render } from "../test/fuzz/program/source.js";

interface Args {
  seeds: number[];
  sources: number;
  jobs: number;
  out: string | undefined;
  timeoutMs: number;
  perSource: number | undefined;
  from: number;
  verify: boolean;
}

/** Loads `object` with bpftool: the largest processed count of its programs, or why it was refused. */
async function verify(
  dir: string,
  name: string,
  object: Uint8Array,
  timeoutMs: number,
): Promise<{ processed: number } | { refused: string }> {
  const path = join(dir, `${name}.o`);
  writeFileSync(path, object);
  try {
    const h = await loadWithBpftool(path, { type: "xdp", timeoutMs });
    h.dispose();
    return { processed: Math.max(0, ...h.programs.map((p) => p.verifierProcessedInsns ?? 0)) };
  } catch (e) {
    return { refused: (e instanceof Error ? e.message : String(e)).split("\n")[0]! };
  } finally {
    rmSync(path, { force: true });
  }
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seeds: [],
    sources: 2,
    jobs: 2,
    out: undefined,
    timeoutMs: 300_000,
    perSource: undefined,
    from: 0,
    verify: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--verify") {
      args.verify = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === "--seeds" || a === "--seed") {
      const [lo, hi = lo] = v.split("-").map(Number);
      for (let s = lo!; s <= hi!; s++) args.seeds.push(s >>> 0);
    } else if (a === "--sources") args.sources = Number(v);
    else if (a === "--jobs") args.jobs = Number(v);
    else if (a === "--out") args.out = v;
    else if (a === "--timeout") args.timeoutMs = Number(v) * 1000;
    // CI's one-minute run generates 12-program sources (campaign.ts): --per-source 12 sweeps those.
    else if (a === "--per-source") args.perSource = Number(v);
    else if (a === "--from") args.from = Number(v);
    else
      throw new Error(
        `unknown argument ${a} (use --seeds A-B, --sources N, --from N, --jobs J, --out DIR, --timeout S, --verify)`,
      );
  }
  if (args.seeds.length === 0) throw new Error("--seeds A-B (or --seed N) is required");
  return args;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  // A generous limit: a sweep beside other work is slow, and the campaign finds hangs.
  const clients = Array.from(
    { length: Math.max(1, args.jobs) },
    () => new CompileClient(args.timeoutMs),
  );
  const t0 = Date.now();
  let passed = 0;
  let failed = 0;
  let programs = 0;
  let cpuMs = 0;
  let maxProcessed = 0;
  const objDir = args.verify ? mkdtempSync(join(tmpdir(), "tsbpf-sweep-")) : "";
  try {
    const jobs: Promise<void>[] = [];
    let k = 0;
    for (const seed of args.seeds) {
      const generate = sourceStream(
        seed,
        args.perSource ? { programsPerSource: args.perSource } : {},
      );
      for (let n = 0; n < args.from + args.sources; n++) {
        // Sources before --from are generated (the stream is sequential) but not compiled.
        const { src } = generate(n);
        if (n < args.from) continue;
        const text = render(src);
        const client = clients[k++ % clients.length]!;
        jobs.push(
          client.compile(text).then(async (reply) => {
            cpuMs += reply.cpuMs ?? 0;
            programs += src.units.length;
            let f: { kind: string; detail: string } | undefined = compileFailure(reply);
            if (!f && args.verify) {
              const v = await verify(objDir, `seed${seed}-s${n}`, reply.object!, args.timeoutMs);
              if ("refused" in v) f = { kind: "verifier refused", detail: v.refused };
              else maxProcessed = Math.max(maxProcessed, v.processed);
            }
            if (!f) {
              passed++;
              return;
            }
            failed++;
            let saved = "";
            if (args.out) {
              mkdirSync(args.out, { recursive: true });
              saved = join(args.out, `seed${seed}-s${n}.ts`);
              writeFileSync(saved, text);
            }
            const first = f.detail.split("\n").find((l) => l.includes("error")) ?? f.detail;
            console.log(
              `seed ${seed} source ${n}: ${f.kind}: ${first.trim()}${saved && ` -> ${saved}`}`,
            );
          }),
        );
      }
    }
    await Promise.all(jobs);
  } finally {
    for (const c of clients) c.dispose();
    if (objDir) rmSync(objDir, { recursive: true, force: true });
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `${passed + failed} sources, ${programs} programs compiled in ${secs.toFixed(0)} s ` +
      `(${(cpuMs / Math.max(programs, 1)).toFixed(1)} ms of compiler CPU per program)`,
  );
  if (args.verify) console.log(`largest verifier processed-instruction count: ${maxProcessed}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
