// The Node side of bpf_helper.py: one long-lived python3 process that runs
// BPF_PROG_TEST_RUN and reads array maps through the bpf(2) syscall, so a
// packet costs a pipe round trip instead of a bpftool spawn. Requests are
// answered in order; a dead helper fails every pending and later request.

import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface KernelMap {
  fd: number;
  name: string;
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface OpenedProgram {
  fd: number;
  id: number;
  maps: KernelMap[];
}

/** One array map's contents: per key, a hex value (per-CPU: one per CPU), null when lookup failed. */
export type ArrayDump = (string | string[] | null)[];

/** Every entry of a keyed map, sorted by key: [key hex, value hex (per-CPU: one per CPU)]. */
export type MapDump = [string, string | string[]][];

export interface FastRun {
  retval: number;
  data: Uint8Array;
  maps: ArrayDump[];
  dumps: MapDump[];
  /** The helper's CPU time for BPF_PROG_TEST_RUN and for reading the maps. */
  cpuNs: { testRun: number; dump: number };
}

type Reply = { ok: true; [k: string]: unknown } | { ok: false; error: string };

export class FastKernel {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private dead: Error | undefined;

  constructor() {
    const script = join(import.meta.dirname, "bpf_helper.py");
    this.child = spawn("python3", [script], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    this.child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const p = this.pending.shift();
      if (!p) return;
      try {
        p.resolve(JSON.parse(line) as Reply);
      } catch {
        p.reject(new Error(`bpf_helper.py sent bad JSON: ${line.slice(0, 200)}`));
      }
    });
    const fail = (why: string) => {
      this.dead ??= new Error(`bpf_helper.py ${why}${stderr ? `: ${stderr.trim()}` : ""}`);
      for (const p of this.pending.splice(0)) p.reject(this.dead);
    };
    this.child.on("exit", (code, signal) => fail(`exited (${code ?? signal})`));
    this.child.on("error", (e) => fail(`failed to start: ${e.message}`));
    this.child.stdin.on("error", () => {});
  }

  private async request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.dead) throw this.dead;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(JSON.stringify(req) + "\n");
    });
    if (!reply.ok) throw new Error(`bpf_helper ${String(req.op)}: ${reply.error}`);
    return reply;
  }

  /** Opens a pinned program and the maps it uses. */
  async open(pin: string): Promise<OpenedProgram> {
    return (await this.request({ op: "open", pin })) as unknown as OpenedProgram;
  }

  /**
   * BPF_PROG_TEST_RUN once on `data`, then reads maps: `maps` as arrays
   * (every index), `dump` walked key by key (any keyed map type).
   */
  async run(
    fd: number,
    data: Uint8Array,
    maps: readonly number[],
    dump: readonly number[] = [],
  ): Promise<FastRun> {
    const hex = Buffer.from(data).toString("hex");
    const r = await this.request({ op: "run", fd, data: hex, maps, dump });
    return {
      retval: r.retval as number,
      data: Uint8Array.from(Buffer.from(r.data as string, "hex")),
      maps: r.maps as ArrayDump[],
      dumps: r.dumps as MapDump[],
      cpuNs: r.cpuNs as FastRun["cpuNs"],
    };
  }

  async close(fds: readonly number[]): Promise<void> {
    if (fds.length) await this.request({ op: "close", fds });
  }

  /** CPU time the helper process used so far (user + system, ms; /proc, 10 ms ticks). */
  cpuMs(): number {
    try {
      const f = readFileSync(`/proc/${this.child.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      return 0;
    }
  }

  dispose(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
