// Runs one fuzz target (ELF reader, compiler) in a child process so that a
// hang or a runaway allocation is observed instead of suffered: each input
// gets a wall-clock limit (past it the child is killed and the input counts
// as a hang) and the child a heap limit (exceeding it kills the child and
// the input counts as a crash). The child is restarted after either.
// Targets are modules under test/fuzz/targets/ run by target-host.ts.

import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export type TargetName = "elf" | "compiler" | "selftest";

/** What a target reports for one input. */
export type Outcome =
  | { kind: "ok"; detail: string; ms: number }
  | { kind: "crash"; detail: string; ms: number }
  | { kind: "hang"; detail: string; ms: number };

/** What identifies a failure across inputs: its first line with numbers blanked ("hang" for hangs). */
export function failureKey(o: Outcome): string {
  if (o.kind === "hang") return "hang";
  return o.detail.split("\n")[0]!.replace(/\d+/g, "#").slice(0, 160);
}

export interface SandboxOptions {
  /** Per-input wall-clock limit. */
  timeoutMs: number;
  /** Heap limit of the child (--max-old-space-size). */
  heapMb: number;
}

export class Sandbox {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private waiting: ((o: Outcome) => void) | undefined;
  private exitNote = "";
  private seq = 0;
  restarts = 0;

  constructor(
    private readonly target: TargetName,
    private readonly opts: SandboxOptions,
  ) {}

  private start(): ChildProcess {
    const host = join(import.meta.dirname, "targets", "target-host.ts");
    const child = fork(host, [this.target], {
      execArgv: ["--import", "tsx", `--max-old-space-size=${this.opts.heapMb}`],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let ready: () => void = () => {};
    this.ready = new Promise<void>((r) => (ready = r));
    child.on("message", (m: { seq: number; outcome: Outcome } | { ready: true }) => {
      if ("ready" in m) return ready();
      if (m.seq !== this.seq) return;
      const w = this.waiting;
      this.waiting = undefined;
      w?.(m.outcome);
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      ready();
      const w = this.waiting;
      this.waiting = undefined;
      const why =
        this.exitNote ||
        `target process died (${code ?? signal}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`;
      this.exitNote = "";
      w?.({ kind: "crash", detail: why, ms: 0 });
    });
    return child;
  }

  /** Runs one input; never throws. */
  async run(input: string | Uint8Array): Promise<Outcome> {
    if (!this.child) {
      this.child = this.start();
      this.restarts++;
    }
    const child = this.child;
    // The limit is for the input, not for loading the target (ts-morph takes seconds).
    await this.ready;
    if (this.child !== child)
      return { kind: "crash", detail: "target process died while starting", ms: 0 };
    const seq = ++this.seq;
    const t0 = Date.now();
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.exitNote = "killed";
        child.kill("SIGKILL");
        this.child = undefined;
        resolve({
          kind: "hang",
          detail: `no answer within ${this.opts.timeoutMs} ms`,
          ms: Date.now() - t0,
        });
      }, this.opts.timeoutMs);
      this.waiting = (o) => {
        clearTimeout(timer);
        resolve(o.kind === "crash" && o.ms === 0 ? { ...o, ms: Date.now() - t0 } : o);
      };
      child.send({ seq, input: typeof input === "string" ? input : Buffer.from(input) });
    });
  }

  dispose(): void {
    const c = this.child;
    this.child = undefined;
    c?.kill("SIGKILL");
  }
}
