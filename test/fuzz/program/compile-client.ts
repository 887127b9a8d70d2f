// A compiler in a child process (compile-server.ts), for the generated
// program campaign: requests are queued and answered in order; a source
// that takes longer than the time limit kills the child (and counts as a
// hang), and the next request starts a new one.

import { fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";

export interface CompileReply {
  seq: number;
  object?: Uint8Array | undefined;
  diagnostics: { code: string; text: string }[];
  /** compile() threw (it should turn every exception into TSB9001). */
  thrown?: string;
  /** The child died or ran past the time limit on this source. */
  hang?: string;
  /** Wall time, and the compiler process's CPU time, of this compile. */
  ms: number;
  cpuMs?: number;
}

export class CompileClient {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private seq = 0;
  /** Pending requests: their answer callback and the process they went to. */
  private readonly waiting = new Map<
    number,
    { child: ChildProcess; answer: (r: CompileReply) => void }
  >();
  private chain: Promise<unknown> = Promise.resolve();
  restarts = 0;

  constructor(private readonly timeoutMs = 60_000) {}

  private start(): void {
    const server = join(import.meta.dirname, "compile-server.ts");
    const child = fork(server, [], {
      execArgv: ["--import", "tsx", "--max-old-space-size=2048"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      serialization: "advanced",
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    let ready = () => {};
    this.ready = new Promise<void>((r) => (ready = r));
    child.on("message", (m: CompileReply | { ready: true }) => {
      if ("ready" in m) return ready();
      const w = this.waiting.get(m.seq);
      this.waiting.delete(m.seq);
      w?.answer({ ...m, object: m.object ? new Uint8Array(m.object) : undefined });
    });
    child.on("exit", (code, signal) => {
      if (this.child === child) this.child = undefined;
      ready();
      // Only this process's requests: a killed process may exit after its successor started.
      for (const [seq, w] of this.waiting) {
        if (w.child !== child) continue;
        this.waiting.delete(seq);
        w.answer({
          seq,
          diagnostics: [],
          hang: `compiler process exited (${code ?? signal}) ${stderr}`,
          ms: 0,
        });
      }
    });
    this.child = child;
  }

  /** Compiles `text`; requests run one at a time, in order. */
  compile(text: string): Promise<CompileReply> {
    const run = async (): Promise<CompileReply> => {
      if (!this.child) {
        if (this.seq > 0) this.restarts++;
        this.start();
      }
      await this.ready;
      const child = this.child!;
      const seq = ++this.seq;
      return new Promise<CompileReply>((resolve) => {
        const timer = setTimeout(() => {
          this.waiting.delete(seq);
          child.kill("SIGKILL");
          // The next request starts a new process instead of going to this dying one.
          if (this.child === child) this.child = undefined;
          resolve({
            seq,
            diagnostics: [],
            hang: `no answer in ${this.timeoutMs} ms`,
            ms: this.timeoutMs,
          });
        }, this.timeoutMs);
        this.waiting.set(seq, {
          child,
          answer: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        });
        child.send({ seq, text });
      });
    };
    const p = this.chain.then(run, run);
    this.chain = p;
    return p;
  }

  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}
