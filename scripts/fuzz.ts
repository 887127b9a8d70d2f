// `npm run fuzz -- --time 60 [--seed N] [--only program,raw,elf,compiler] [--no-save]`:
// runs every fuzz campaign (test/fuzz) for a share of the time, one after
// the other, prints what each ran and found, and ends with
// `N passed, M failed` (passed = agreements: packets on which kernel and
// interpreter agreed plus inputs that ended as their contract says;
// failed = disagreements + verifier rejections + compiler refusals of
// generated programs + crashes/hangs).
// Exits 1 when anything failed. Findings are minimized and saved under
// test/fuzz/regressions unless --no-save.

import { appendFileSync } from "node:fs";
import { failures, type Campaign, type Stats } from "../test/fuzz/campaign.js";
import { compilerCampaign } from "../test/fuzz/compiler/campaign.js";
import { elfCampaign } from "../test/fuzz/elf/campaign.js";
import { programCampaign } from "../test/fuzz/program/campaign.js";
import { rawCampaign } from "../test/fuzz/raw/campaign.js";

interface Args {
  time: number;
  seed: number;
  only: string[] | undefined;
  save: boolean;
  log: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    time: 60,
    seed: Date.now() >>> 0,
    only: undefined,
    save: true,
    log: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--time") args.time = Number(next());
    else if (a === "--seed") args.seed = Number(next()) >>> 0;
    else if (a === "--only") args.only = next().split(",");
    else if (a === "--no-save") args.save = false;
    else if (a === "--log") args.log = next();
    else
      throw new Error(
        `unknown argument ${a} (use --time S, --seed N, --only a,b, --no-save, --log FILE)`,
      );
  }
  if (!(args.time > 0)) throw new Error("--time must be a positive number of seconds");
  return args;
}

/**
 * Share of the time per campaign: most goes to generated tsbpf programs
 * (compiler, verifier and interpreter at once; compiling is its cost, about
 * 90% of its CPU time), the rest still runs every other campaign (the raw
 * one compares about 90 programs a second, so its eleventh of the time is
 * thousands of programs).
 */
const CAMPAIGNS: { weight: number; make: () => Campaign }[] = [
  { weight: 8, make: () => programCampaign() },
  { weight: 1, make: () => rawCampaign() },
  { weight: 1, make: () => compilerCampaign() },
  { weight: 1, make: () => elfCampaign() },
];

function row(name: string, s: Stats, secs: number): string {
  const parts = [
    `programs ${s.programs}`,
    `packets ${s.packets}`,
    `inputs ${s.inputs}`,
    `agreements ${s.agreements}`,
    `disagreements ${s.disagreements}`,
    `verifier rejections ${s.rejections}`,
    `compiler refusals ${s.refusals}`,
    `crashes ${s.crashes}`,
  ];
  return `${name.padEnd(9)} ${secs.toFixed(0).padStart(4)} s  ${parts.join(", ")}`;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => {
    if (args.log) appendFileSync(args.log, line + "\n");
  };
  const chosen = CAMPAIGNS.map((c) => ({ ...c, campaign: c.make() })).filter(
    (c) => !args.only || args.only.includes(c.campaign.name),
  );
  const runnable = chosen.filter((c) => {
    const why = c.campaign.unavailable();
    if (why) console.log(`SKIPPED: campaign ${c.campaign.name}: ${why}`);
    return !why;
  });
  if (runnable.length === 0) {
    console.log("0 passed, 0 failed (no campaign could run)");
    return 1;
  }
  console.log(
    `fuzz: ${args.time} s, seed ${args.seed}, campaigns ${runnable.map((c) => c.campaign.name).join(", ")}`,
  );
  const end = Date.now() + args.time * 1000;
  const results: { name: string; stats: Stats; secs: number }[] = [];
  for (const [i, c] of runnable.entries()) {
    // Each campaign gets its share of what is left, so an overrun is absorbed by the next.
    const left = end - Date.now();
    const weightLeft = runnable.slice(i).reduce((n, x) => n + x.weight, 0);
    const share = Math.max(1000, (left * c.weight) / weightLeft);
    const t0 = Date.now();
    const stats = await c.campaign.run({
      seed: (args.seed + i) >>> 0,
      deadline: t0 + share,
      save: args.save,
      log,
    });
    const secs = (Date.now() - t0) / 1000;
    results.push({ name: c.campaign.name, stats, secs });
    console.log(row(c.campaign.name, stats, secs));
    for (const n of stats.notes) console.log(`          ${n}`);
    for (const f of stats.findings.slice(0, 20)) console.log(`  FOUND: ${f}`);
    if (stats.findings.length > 20) console.log(`  ... and ${stats.findings.length - 20} more`);
  }
  const sum = (f: (s: Stats) => number) => results.reduce((n, r) => n + f(r.stats), 0);
  const total: Stats = {
    programs: sum((s) => s.programs),
    packets: sum((s) => s.packets),
    inputs: sum((s) => s.inputs),
    agreements: sum((s) => s.agreements),
    disagreements: sum((s) => s.disagreements),
    rejections: sum((s) => s.rejections),
    refusals: sum((s) => s.refusals),
    crashes: sum((s) => s.crashes),
    findings: [],
    notes: [],
  };
  console.log(
    row(
      "total",
      total,
      results.reduce((n, r) => n + r.secs, 0),
    ),
  );
  // "programs" adds up two different things: say which campaign compared what.
  const of = (name: string) => results.find((r) => r.name === name)?.stats;
  const [compiled, raw] = [of("program"), of("raw")];
  console.log(
    `compared with the kernel: compiled tsbpf programs ${compiled?.programs ?? 0} ` +
      `(${compiled?.packets ?? 0} packets), raw instruction programs ${raw?.programs ?? 0} ` +
      `(${raw?.packets ?? 0} packets)`,
  );
  const failed = failures(total);
  console.log(`${total.agreements} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  },
);
