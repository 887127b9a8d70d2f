// Campaign "program": random well-typed tsbpf sources (generator.ts), a few
// XDP programs each, compiled in a long-lived child process (the next
// source compiles on the other CPU while this one runs), loaded by the
// kernel's verifier and compared with the interpreter packet by packet
// (differential.ts). A source that fails to compile or load is split into
// its programs to find the culprit. Findings: a compiler crash, hang or
// refusal of a generated program, a verifier refusal of compiled code, a
// disagreement. Each is minimized (statement by statement) and saved under
// test/fuzz/regressions, where regressions.test.ts replays it.

import { detectKernel } from "../../../runtime/kernel/index.js";
import { emptyStats, type Campaign, type CampaignContext, type Stats } from "../campaign.js";
import { FastKernel } from "../kernel-fast/client.js";
import { saveInput, saveProgramRegression } from "../regressions.js";
import { Rng } from "../rng.js";
import { CompileClient, type CompileReply } from "./compile-client.js";
import {
  compareObject,
  describeProgramDifference,
  noCosts,
  type ProgramDisagreement,
} from "./differential.js";
import { generateSource, PROGRAMS_PER_SOURCE, type ProgramGenOptions } from "./generator.js";
import { minimizeSource } from "./minimize.js";
import { randomPacket } from "./packets.js";
import { only, render, type GenSource } from "./source.js";

export interface ProgramCampaignOptions extends ProgramGenOptions {
  packetsPerProgram?: number;
  /** Compiler processes working ahead (the machine has 2 CPUs; the kernel side needs one). */
  compilers?: number;
  /** Findings to minimize per run (each takes up to minimizeMs). */
  maxMinimize?: number;
  minimizeMs?: number;
}

export type FailureKind =
  "crash" | "harness error" | "compiler refused" | "verifier refused" | "disagreement";

export interface Failure {
  kind: FailureKind;
  /** What identifies it across programs (its first line, numbers blanked). */
  key: string;
  detail: string;
  disagreement?: ProgramDisagreement;
}

/** A compile reply as a failure, or undefined when it gave an object. */
export function compileFailure(r: CompileReply): Failure | undefined {
  const ice = r.diagnostics.find((d) => d.code.startsWith("TSB9"));
  const crash = r.hang ?? r.thrown ?? ice?.text;
  if (crash) {
    const first = crash.split("\n")[0]!;
    return { kind: "crash", key: `crash ${first.replace(/\d+/g, "#")}`, detail: crash };
  }
  if (r.object) return undefined;
  const d = r.diagnostics[0];
  const text = d?.text ?? "compile() gave neither an object nor a diagnostic";
  return { kind: "compiler refused", key: `refused ${d?.code ?? "none"}`, detail: text };
}

/** The verifier's own last words (the line before "processed N insns"), else the log's tail. */
function verifierTail(log: string): string {
  const lines = log.split("\n").filter((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith("processed "));
  if (at > 0) return lines[at - 1]!;
  return lines.slice(-4).join(" | ");
}

/** One generated source of a campaign and the packets of each of its programs. */
export interface GeneratedSource {
  src: GenSource;
  packets: Record<string, Uint8Array[]>;
}

/**
 * The sources a campaign with `seed` generates, in order (source n is named
 * `s<n>`): what the campaign compiles and runs, and what a compile-only sweep
 * (scripts/fuzz-sweep.ts) compiles, so a sweep's finding names the same source.
 */
export function sourceStream(
  seed: number,
  opts: ProgramCampaignOptions = {},
): (n: number) => GeneratedSource {
  const rng = new Rng(seed);
  const packetsPer = opts.packetsPerProgram ?? 12;
  return (n) => {
    const src = generateSource(rng, `s${n}`, opts);
    const packets = Object.fromEntries(
      src.units.map((u) => [u.name, Array.from({ length: packetsPer }, () => randomPacket(rng))]),
    );
    return { src, packets };
  };
}

export function programCampaign(opts: ProgramCampaignOptions = {}): Campaign {
  return {
    name: "program",
    unavailable() {
      const k = detectKernel();
      return k.available ? undefined : k.reason;
    },
    async run(ctx: CampaignContext): Promise<Stats> {
      const stats = emptyStats();
      // Sources compile ahead in `compilers` processes while this one runs the kernel and the
      // interpreter; checks of single programs (isolation, minimization) use the first.
      const clients = Array.from({ length: opts.compilers ?? 2 }, () => new CompileClient());
      const client = clients[0]!;
      const fast = new FastKernel();
      // A short run (CI's minute) takes 12-program sources: a first cold compile of 24 under
      // load can outlast the whole share and starve the campaigns after this one.
      const short = ctx.deadline - Date.now() < 120_000;
      const generate = sourceStream(ctx.seed, {
        ...opts,
        programsPerSource: opts.programsPerSource ?? (short ? 12 : PROGRAMS_PER_SOURCE),
      });
      const t0 = Date.now();
      let sources = 0;
      let compileMs = 0;
      let compileCpuMs = 0;
      let helperCpuMs = 0;
      const costs = noCosts();
      let minimized = 0;
      const seen = new Set<string>();

      /** Runs one source all the way; returns the failure, counting what passed. */
      const check = async (
        src: GenSource,
        packets: Record<string, Uint8Array[]>,
        count: boolean,
        reply?: CompileReply,
      ): Promise<Failure | undefined> => {
        const r = reply ?? (await client.compile(render(src)));
        const cf = compileFailure(r);
        if (cf) return cf;
        const mine = Object.fromEntries(src.units.map((u) => [u.name, packets[u.name] ?? []]));
        let res: Awaited<ReturnType<typeof compareObject>>;
        try {
          res = await compareObject(fast, r.object!, mine);
        } catch (e) {
          // Loading or running failed outside the verifier (a program missing from the
          // object, the helper refusing a map...): a finding too, with its source.
          const why = e instanceof Error ? e.message : String(e);
          return {
            kind: "harness error",
            key: `harness ${why.replace(/\d+/g, "#")}`,
            detail: `harness: ${why}`,
          };
        }
        if (res.refused) {
          return { kind: "verifier refused", key: "verifier refused", detail: res.refused };
        }
        if (count) {
          stats.programs += src.units.length;
          stats.packets += res.packets;
          stats.agreements += res.agreements;
          for (const k of Object.keys(costs) as (keyof typeof costs)[]) costs[k] += res.costs[k];
        }
        const d = res.disagreements[0];
        if (!d) return undefined;
        const what = describeProgramDifference(d.kernel, d.interpreter);
        return {
          kind: "disagreement",
          key: what.replace(/\d+/g, "#").replace(/map \S+/g, "map"),
          detail: what,
          disagreement: d,
        };
      };

      const record = async (
        src: GenSource,
        packets: Record<string, Uint8Array[]>,
        f: Failure,
        where: string,
      ): Promise<void> => {
        if (f.kind === "crash" || f.kind === "harness error") stats.crashes++;
        else if (f.kind === "compiler refused") stats.refusals++;
        else if (f.kind === "verifier refused") stats.rejections++;
        else stats.disagreements += f.disagreement ? 1 : 0;
        const name = src.units[0]!.name;
        let found = src;
        let pkts = packets[name] ?? [];
        if (f.disagreement) pkts = pkts.slice(0, f.disagreement.packet + 1);
        const firstTime = !seen.has(f.key);
        seen.add(f.key);
        let note = "";
        if (ctx.save && firstTime && minimized < (opts.maxMinimize ?? 5)) {
          minimized++;
          const m = await minimizeSource(
            src,
            async (c) => (await check(c, { [name]: pkts }, false))?.key === f.key,
            { timeMs: opts.minimizeMs ?? 60_000 },
          );
          found = m.source;
          note = ` (minimized in ${m.trials} trials)`;
        }
        const text = render(found);
        let saved = "";
        if (ctx.save && firstTime) {
          if (f.kind === "crash") {
            saved = saveInput(
              "compiler",
              f.detail.startsWith("no answer") ? "hang" : "crash",
              text,
              "txt",
            );
          } else {
            const again =
              f.kind === "disagreement" ? await check(found, { [name]: pkts }, false) : f;
            saved = await saveProgramRegression({
              failure: f.kind,
              found: `program campaign, seed ${ctx.seed}, ${where}, ${new Date().toISOString().slice(0, 10)}`,
              summary:
                f.kind === "verifier refused" ? verifierTail(f.detail) : f.detail.split("\n")[0]!,
              program: name,
              source: text,
              packets: pkts.map((p) => Buffer.from(p).toString("hex")),
              ...(again?.disagreement
                ? { kernel: again.disagreement.kernel, interpreter: again.disagreement.interpreter }
                : {}),
            });
          }
        }
        const summary =
          f.kind === "verifier refused" ? verifierTail(f.detail) : f.detail.split("\n")[0];
        stats.findings.push(
          `${f.kind} ${name} (${where})${note}: ${summary}${saved ? ` -> ${saved}` : ""}`,
        );
        ctx.log(`${f.kind.toUpperCase()} ${name} (${where}):\n${text}\n${f.detail.slice(-3000)}`);
      };

      const next = (n: number) => {
        const { src, packets } = generate(n);
        return { src, packets, reply: clients[n % clients.length]!.compile(render(src)) };
      };

      try {
        const limit = ctx.limit ?? Infinity;
        // Two sources queued per compiler, so none waits while this process checks a
        // failure program by program.
        const depth = clients.length * 2;
        const ahead = Array.from({ length: Math.min(depth, limit) }, (_, i) => next(i));
        for (let n = 0; Date.now() < ctx.deadline && n < limit; n++) {
          const cur = ahead.shift()!;
          if (n + ahead.length + 1 < limit) ahead.push(next(n + ahead.length + 1));
          const reply = await cur.reply;
          sources++;
          compileMs += reply.ms;
          compileCpuMs += reply.cpuMs ?? 0;
          const where = `source ${n}`;
          const whole = await check(cur.src, cur.packets, true, reply);
          if (!whole) continue;
          if (whole.kind === "disagreement") {
            const d = whole.disagreement!;
            await record(only(cur.src, [d.program]), cur.packets, whole, where);
            continue;
          }
          // A whole-source failure: find the program(s) it belongs to.
          let blamed = 0;
          for (const u of cur.src.units) {
            const alone = only(cur.src, [u.name]);
            const f = await check(alone, cur.packets, true);
            if (f) {
              blamed++;
              await record(alone, cur.packets, f, where);
            }
          }
          if (blamed === 0)
            await record(cur.src, cur.packets, whole, `${where}, whole source only`);
        }
      } finally {
        // Sources still compiling ahead are dropped with their processes.
        for (const c of clients) c.dispose();
        helperCpuMs = fast.cpuMs();
        fast.dispose();
      }
      const min = (Date.now() - t0) / 60_000;
      const per = (ms: number) => (ms / Math.max(stats.programs, 1)).toFixed(1);
      stats.notes.push(
        `${sources} sources compiled (mean ${(compileMs / Math.max(sources, 1)).toFixed(0)} ms each), ` +
          `${Math.round(stats.programs / min)} programs/min, ${Math.round(stats.packets / min)} packets/min, ` +
          `${clients.reduce((n, c) => n + c.restarts, 0)} compiler restarts`,
        `per compared program, ms of CPU: compile ${per(compileCpuMs)}, ` +
          `bpftool load ${per(costs.load)} (wall ${per(costs.loadWall)}), ` +
          `test_run ${per(costs.testRun)}, map dumps ${per(costs.dump)} ` +
          `(kernel helper process in all ${per(helperCpuMs)}), interpreter ${per(costs.interpreter)}`,
      );
      return stats;
    },
  };
}
