// The shape every fuzz campaign has, so `npm run fuzz` (scripts/fuzz.ts) can
// run them side by side for a time budget and add up their numbers, and a
// random tsbpf program generator (program/) is one more campaign.

export interface Stats {
  /** Programs compared with the kernel: compiled tsbpf programs (program campaign), instruction sequences (raw). */
  programs: number;
  /** Packets run on both sides. */
  packets: number;
  /** Inputs fed to a target (ELF objects, compiler sources). */
  inputs: number;
  /** Packets on which kernel and interpreter agreed, plus inputs that ended as their contract says. */
  agreements: number;
  disagreements: number;
  /** Generated programs the verifier refused: generator bugs (or compiler bugs, for compiled code). */
  rejections: number;
  /** Generated tsbpf programs the compiler refused (valid by construction: generator or compiler bugs). */
  refusals: number;
  /** Exceptions, internal errors and hangs of a target. */
  crashes: number;
  /** One line per finding, with the reproducer's path. */
  findings: string[];
  /** Anything else worth printing (throughput, spawns). */
  notes: string[];
}

export function emptyStats(): Stats {
  return {
    programs: 0,
    packets: 0,
    inputs: 0,
    agreements: 0,
    disagreements: 0,
    rejections: 0,
    refusals: 0,
    crashes: 0,
    findings: [],
    notes: [],
  };
}

export function failures(s: Stats): number {
  return s.disagreements + s.rejections + s.refusals + s.crashes;
}

export interface CampaignContext {
  seed: number;
  /** Stop starting new work after this time (Date.now() scale). */
  deadline: number;
  /** Also stop after this many units of work (raw: batches; others: inputs), for fixed-size test runs. */
  limit?: number;
  /** Save minimized reproducers under test/fuzz/regressions (off in tests). */
  save: boolean;
  log: (line: string) => void;
}

export interface Campaign {
  name: string;
  /** Why it cannot run here (no kernel...), or undefined. */
  unavailable(): string | undefined;
  run(ctx: CampaignContext): Promise<Stats>;
}
