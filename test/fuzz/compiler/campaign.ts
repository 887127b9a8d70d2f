// Campaign "compiler": compile() on mutated fixture programs, token soup
// and the pathological shapes of inputs.ts, in a sandbox with a per-input
// time limit. A throw, an internal compiler error (TSB9001) or a hang is a
// crash: its input is shrunk token by token while the same failure (first
// line of the message, numbers blanked) persists, and saved under
// regressions/compiler for the replay test.

import { emptyStats, type Campaign, type CampaignContext, type Stats } from "../campaign.js";
import { rememberKnown, saveInput } from "../regressions.js";
import { Rng } from "../rng.js";
import { Sandbox, failureKey } from "../sandbox.js";
import { hugeInputs, loadSeeds, mutateTokens, tokenSoup, tokenize } from "./inputs.js";

export interface CompilerOptions {
  timeoutMs?: number;
  heapMb?: number;
  /** Size factor of the pathological inputs (1: 10k statements, depth 1000). */
  hugeScale?: number;
  minimizeMs?: number;
  maxMinimize?: number;
}

/** Removes token chunks while `box` still fails the same way. */
export async function shrinkSource(
  box: Sandbox,
  text: string,
  key: string,
  deadline: number,
): Promise<string> {
  let toks = tokenize(text);
  const fails = async (t: string[]) => {
    const o = await box.run(t.join(""));
    return o.kind !== "ok" && failureKey(o) === key;
  };
  for (let chunk = Math.max(1, toks.length >> 1); chunk >= 1 && Date.now() < deadline;) {
    let removed = false;
    for (let at = 0; at < toks.length && Date.now() < deadline;) {
      const candidate = [...toks.slice(0, at), ...toks.slice(at + chunk)];
      if (await fails(candidate)) {
        toks = candidate;
        removed = true;
      } else at += chunk;
    }
    if (!removed) chunk >>= 1;
  }
  return toks.join("");
}

/** For a pathological shape: bisects its size down to the smallest that still fails the same way. */
export async function smallestScale(
  box: Sandbox,
  shape: number,
  scale: number,
  key: string,
  deadline: number,
): Promise<string> {
  let lo = 0;
  let hi = scale;
  let best = hugeInputs(scale)[shape]!.text;
  while (hi - lo > scale / 64 && Date.now() < deadline) {
    const mid = (lo + hi) / 2;
    const text = hugeInputs(mid)[shape]!.text;
    const o = await box.run(text);
    if (o.kind !== "ok" && failureKey(o) === key) {
      hi = mid;
      best = text;
    } else lo = mid;
  }
  return best;
}

export function compilerCampaign(opts: CompilerOptions = {}): Campaign {
  return {
    name: "compiler",
    unavailable: () => undefined,
    async run(ctx: CampaignContext): Promise<Stats> {
      const stats = emptyStats();
      const rng = new Rng(ctx.seed);
      const seeds = loadSeeds();
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const box = new Sandbox("compiler", { timeoutMs, heapMb: opts.heapMb ?? 1024 });
      const huge = hugeInputs(opts.hugeScale ?? 1);
      const seen = new Set<string>();
      let minimized = 0;
      let hugeNext = 0;
      let slowest = { ms: 0, what: "" };
      try {
        for (let i = 0; Date.now() < ctx.deadline && i < (ctx.limit ?? Infinity); i++) {
          let what: string;
          let text: string;
          // The slow pathological inputs are spread out, so a short run still mutates.
          if (i % 8 === 3 && hugeNext < huge.length) {
            what = huge[hugeNext]!.name;
            text = huge[hugeNext++]!.text;
          } else if (rng.chance(0.85)) {
            const seed = rng.pick(seeds.programs);
            what = `mutated ${seed.name}`;
            text = mutateTokens(rng, seed.text, seeds.vocabulary);
          } else {
            what = "token soup";
            text = tokenSoup(rng, seeds.vocabulary);
          }
          const o = await box.run(text);
          stats.inputs++;
          if (o.ms > slowest.ms) slowest = { ms: o.ms, what };
          if (o.kind === "ok") {
            stats.agreements++;
            continue;
          }
          stats.crashes++;
          const key = failureKey(o);
          // Each pathological shape is its own finding (same overflow, different recursion).
          const shape = huge.findIndex((h) => h.name === what);
          const dedupe = shape >= 0 ? `${what.replace(/\d+/g, "")}|${key}` : key;
          let where = "";
          if (ctx.save && !seen.has(dedupe)) {
            let small = text;
            // Shrinking may overrun the deadline, but by at most 20 s past it.
            const until = Math.min(
              Date.now() + (opts.minimizeMs ?? 60_000),
              Math.max(ctx.deadline, Date.now() + 20_000),
            );
            // Hangs are kept whole: shrunk to the edge of the limit they would replay flakily.
            if (shape >= 0 && o.kind !== "hang") {
              small = await smallestScale(box, shape, opts.hugeScale ?? 1, key, until);
            } else if (minimized++ < (opts.maxMinimize ?? 5) && o.kind !== "hang") {
              small = await shrinkSource(box, text, key, until);
            }
            const file = saveInput("compiler", o.kind, small, "txt");
            await rememberKnown("compiler", file, key);
            where = ` -> ${file}`;
          }
          seen.add(dedupe);
          stats.findings.push(`${o.kind} on ${what}: ${o.detail.split("\n")[0]}${where}`);
        }
      } finally {
        box.dispose();
      }
      stats.notes.push(
        `slowest input ${Math.round(slowest.ms)} ms (${slowest.what}), ${box.restarts} target starts`,
      );
      return stats;
    },
  };
}
