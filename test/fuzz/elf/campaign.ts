// Campaign "elf": damaged objects (mutate.ts) from the clang fixtures and
// from our own objects (compiled fixture programs, generated raw batches)
// fed to readObject and loadObject in a sandbox (per-input time limit, heap
// limit). Anything but a result, ElfError or LoadError is a crash; the
// input is saved under regressions/elf.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../../compiler/index.js";
import { emptyStats, type Campaign, type CampaignContext, type Stats } from "../campaign.js";
import { loadSeeds } from "../compiler/inputs.js";
import { makeCases } from "../raw/campaign.js";
import { buildObject } from "../raw/program.js";
import { rememberKnown, saveInput } from "../regressions.js";
import { Rng } from "../rng.js";
import { Sandbox, failureKey } from "../sandbox.js";
import { mutateElf } from "./mutate.js";

const CLANG = join(import.meta.dirname, "../../fixtures/clang");

export interface ElfOptions {
  timeoutMs?: number;
  heapMb?: number;
  /** Compile this many fixture programs as seeds (compiling takes a while). */
  compiledSeeds?: number;
}

/** The seed objects: clang's, a generated raw batch, and compiled fixture programs. */
export function elfSeeds(
  rng: Rng,
  compiled: number,
  deadline = Infinity,
): { name: string; bytes: Uint8Array }[] {
  const seeds: { name: string; bytes: Uint8Array }[] = [];
  for (const f of readdirSync(CLANG)
    .filter((x) => x.endsWith(".o"))
    .sort()) {
    seeds.push({ name: f, bytes: new Uint8Array(readFileSync(join(CLANG, f))) });
  }
  seeds.push({
    name: "raw-batch",
    bytes: buildObject(makeCases(rng, 0, 3, 0, { maxItems: 15 }).map((c) => c.program)),
  });
  // compile() takes a second or more per program: stop early when the budget is short.
  for (const p of loadSeeds().programs.slice(0, compiled)) {
    if (Date.now() > deadline) break;
    const r = compile({ fileName: p.name, text: p.text });
    if (r.object) seeds.push({ name: p.name, bytes: r.object });
  }
  return seeds;
}

export function elfCampaign(opts: ElfOptions = {}): Campaign {
  return {
    name: "elf",
    unavailable: () => undefined,
    async run(ctx: CampaignContext): Promise<Stats> {
      const stats = emptyStats();
      const rng = new Rng(ctx.seed);
      const seeds = elfSeeds(
        rng,
        opts.compiledSeeds ?? 6,
        Date.now() + (ctx.deadline - Date.now()) / 4,
      );
      const box = new Sandbox("elf", {
        timeoutMs: opts.timeoutMs ?? 5_000,
        heapMb: opts.heapMb ?? 512,
      });
      let slowest = 0;
      try {
        while (Date.now() < ctx.deadline && stats.inputs < (ctx.limit ?? Infinity)) {
          const seed = rng.pick(seeds);
          let { name, bytes } = mutateElf(rng, seed.bytes, rng.pick(seeds).bytes);
          // Stack a few mutations sometimes: a damaged header plus a flipped BTF word, etc.
          for (let n = rng.chance(0.3) ? rng.range(1, 3) : 0; n > 0; n--) {
            const m = mutateElf(rng, bytes, seed.bytes);
            name += ` + ${m.name}`;
            bytes = m.bytes;
          }
          const o = await box.run(bytes);
          stats.inputs++;
          slowest = Math.max(slowest, o.ms);
          if (o.kind === "ok") {
            stats.agreements++;
            continue;
          }
          stats.crashes++;
          let where = "";
          if (ctx.save) {
            const file = saveInput("elf", o.kind, bytes, "bin");
            await rememberKnown("elf", file, failureKey(o));
            where = ` -> ${file}`;
          }
          stats.findings.push(
            `${o.kind} on ${seed.name} (${name}): ${o.detail.split("\n")[0]}${where}`,
          );
        }
      } finally {
        box.dispose();
      }
      stats.notes.push(
        `${seeds.length} seed objects, slowest input ${Math.round(slowest)} ms, ${box.restarts} target starts`,
      );
      return stats;
    },
  };
}
