// Per-phase CPU times (process.cpuUsage: all threads, GC and compiler threads included) of one compile, printed to stderr when
// TSBPF_TIMES=1: where a `tsbpf build` spends its time, without a profiler's
// overhead (bench/ANALYSIS.md quotes them). Off, it costs one env lookup per compile.

export class PhaseTimes {
  // Read per compile, not at module load: the start-up snapshot loads modules at build time.
  private readonly enabled = process.env["TSBPF_TIMES"] === "1";
  private last = this.enabled ? cpuMs() : 0;
  private readonly parts: string[] = [];

  constructor(private readonly label: string) {}

  /** Closes the phase that ran since the previous mark. */
  mark(phase: string): void {
    if (!this.enabled) return;
    const now = cpuMs();
    this.parts.push(`${phase} ${(now - this.last).toFixed(1)}`);
    this.last = now;
  }

  print(): void {
    if (this.enabled && this.parts.length > 0)
      process.stderr.write(`tsbpf times ${this.label}: ${this.parts.join(", ")} ms\n`);
  }
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
