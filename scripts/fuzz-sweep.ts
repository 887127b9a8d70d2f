// `npx tsx scripts/fuzz-sweep.ts --seeds 1-200 [--sources 2] [--jobs 2] [--out DIR] [--timeout S]`:
// a compile-only sweep of the generated-program campaign. For each seed it
// generates the campaign's first sources exactly as `npm run fuzz` would
// (test/fuzz/program/campaign.ts sourceStream: same names, same order) and
// compiles them, with no kernel: a generator bug (a source TypeScript or the
// compiler refuses) or a compiler crash shows in seconds per seed instead of
// a kernel run. Prints one line per failing source (and saves its text under
// --out), then `N passed, M failed` (sources); exits 1 when any failed.
// `npm run fuzz` seeds its program campaign with --seed itself.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    seeds: [],
    sources: 2,
    jobs: 2,
    out: undefined,
    timeoutMs: 300_000,
    perSource: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
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
    else
      throw new Error(
        `unknown argument ${a} (use --seeds A-B, --sources N, --jobs J, --out DIR, --timeout S)`,
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
  try {
    const jobs: Promise<void>[] = [];
    let k = 0;
    for (const seed of args.seeds) {
      const generate = sourceStream(
        seed,
        args.perSource ? { programsPerSource: args.perSource } : {},
      );
      for (let n = 0; n < args.sources; n++) {
        const { src } = generate(n);
        const text = render(src);
        const client = clients[k++ % clients.length]!;
        jobs.push(
          client.compile(text).then((reply) => {
            cpuMs += reply.cpuMs ?? 0;
            programs += src.units.length;
            const f = compileFailure(reply);
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
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `${passed + failed} sources, ${programs} programs compiled in ${secs.toFixed(0)} s ` +
      `(${(cpuMs / Math.max(programs, 1)).toFixed(1)} ms of compiler CPU per program)`,
  );
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
