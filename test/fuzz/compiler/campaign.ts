// Campaign "compiler": compile() on mutated fixture programs, token soup
// and the pathological shapes of inputs.ts, in a sandbox with a per-input
// time limit. A throw, an internal compiler error (TSB9001) or a hang is a
// crash: its input is shrunk token by token while the same failure (first
// line of the message, numbers blanked) persists, and saved under
// regressions/compiler for the replay test.

import { emptyStats, type Campaign, type CampaignContext, type Stats } from "../campaign.js";
import { saveInput } from "../regressions.js";
import { Rng } from "../rng.js";
import { Sandbox, type Outcome } from "../sandbox.js";
import { hugeInputs, loadSeeds, mutateTokens, tokenSoup, tokenize } from "./inputs.js";

export interface CompilerOptions {
  timeoutMs?: number;
  heapMb?: number;
  /** Size factor of the pathological inputs (1: 10k statements, depth 1000). */
  hugeScale?: number;
  minimizeMs?: number;
  maxMinimize?: number;
}

export function failureKey(o: Outcome): string {
  if (o.kind === "hang") return "hang";
  return o.detail.split("\n")[0]!.replace(/\d+/g, "#").slice(0, 160);
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
      let slowest = { ms: 0, what: "" };
      try {
        for (let i = 0; Date.now() < ctx.deadline; i++) {
          let what: string;
          let text: string;
          if (i < huge.length) {
            what = huge[i]!.name;
            text = huge[i]!.text;
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
          let where = "";
          if (ctx.save && !seen.has(key)) {
            let small = text;
            if (minimized++ < (opts.maxMinimize ?? 5) && o.kind !== "hang") {
              small = await shrinkSource(box, text, key, Date.now() + (opts.minimizeMs ?? 60_000));
            }
            where = ` -> ${saveInput("compiler", o.kind, small, "txt")}`;
          }
          seen.add(key);
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
