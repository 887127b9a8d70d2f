// Campaign "raw": batches of generated XDP programs (generator.ts), each
// with random packets, compared kernel vs interpreter (differential.ts).
// Disagreements are minimized and saved as regressions; verifier
// rejections are generator bugs and are printed with the verifier's last
// words. Kernel access comes from one bpf_helper.py process per run.

import { detectKernel } from "../../../runtime/kernel/index.js";
import { emptyStats, type Campaign, type CampaignContext, type Stats } from "../campaign.js";
import { FastKernel } from "../kernel-fast/client.js";
import { saveRawRegression, describeDifference, listing } from "../regressions.js";
import { Rng } from "../rng.js";
import { runBatch, type Case } from "./differential.js";
import { generateProgram, randomPacket, type GenOptions } from "./generator.js";
import { minimize } from "./minimize.js";
import { flatten } from "./program.js";

export interface RawOptions extends GenOptions {
  programsPerBatch?: number;
  packetsPerProgram?: number;
  /** Disagreements to minimize per run (each takes up to minimizeMs). */
  maxMinimize?: number;
  minimizeMs?: number;
}

export function makeCases(
  rng: Rng,
  batch: number,
  n: number,
  packets: number,
  opts: GenOptions,
): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const program = generateProgram(rng, `b${batch}_p${i}`, `m${i}`, opts);
    cases.push({ program, packets: Array.from({ length: packets }, () => randomPacket(rng)) });
  }
  return cases;
}

export function rawCampaign(opts: RawOptions = {}): Campaign {
  return {
    name: "raw",
    unavailable() {
      const k = detectKernel();
      return k.available ? undefined : k.reason;
    },
    async run(ctx: CampaignContext): Promise<Stats> {
      const stats = emptyStats();
      const fast = new FastKernel();
      const rng = new Rng(ctx.seed);
      const t0 = Date.now();
      let spawns = 0;
      let minimized = 0;
      const seen = new Set<string>();
      try {
        for (let batch = 0; Date.now() < ctx.deadline && batch < (ctx.limit ?? Infinity); batch++) {
          const cases = makeCases(
            rng,
            batch,
            opts.programsPerBatch ?? 50,
            opts.packetsPerProgram ?? 10,
            opts,
          );
          const r = await runBatch(fast, cases);
          spawns += r.spawns;
          stats.programs += r.programs;
          stats.packets += r.packets;
          stats.agreements += r.agreements;
          stats.rejections += r.rejections.length;
          for (const rej of r.rejections) {
            const why = rej.log
              .split("\n")
              .filter((l) => l.trim())
              .slice(-4)
              .join(" | ");
            stats.findings.push(
              `verifier rejected ${rej.program.name} (seed ${ctx.seed}, batch ${batch}): ${why}`,
            );
            ctx.log(
              `REJECTED ${rej.program.name}:\n${listing(flatten(rej.program.items)).join("\n")}\n${rej.log.slice(-3000)}`,
            );
          }
          for (const d of r.disagreements) {
            stats.disagreements++;
            let what = describeDifference(d.kernel, d.interpreter);
            let found = d;
            if (ctx.save && minimized < (opts.maxMinimize ?? 5)) {
              minimized++;
              found = await minimize(fast, d, { timeMs: opts.minimizeMs ?? 60_000 });
              what = describeDifference(found.kernel, found.interpreter);
            }
            const key = what.replace(/\d+/g, "#");
            const where =
              ctx.save && !seen.has(key)
                ? ` -> ${await saveRawRegression(found, `seed ${ctx.seed} batch ${batch} ${d.case.program.name}`)}`
                : "";
            seen.add(key);
            stats.findings.push(
              `disagreement on ${d.case.program.name} packet ${d.packet}: ${what}${where}`,
            );
          }
        }
      } finally {
        fast.dispose();
      }
      const min = (Date.now() - t0) / 60_000;
      stats.notes.push(
        `${Math.round(stats.programs / min)} programs/min, ${Math.round(stats.packets / min)} packets/min, ${spawns} bpftool spawns`,
      );
      return stats;
    },
  };
}
