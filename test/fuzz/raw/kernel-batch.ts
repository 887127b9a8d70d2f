// Loading many generated programs into the kernel at once: one object, one
// `bpftool prog loadall` spawn (libbpf reads our ELF, the verifier checks
// every program), then the helper opens each pin and the pins are removed;
// the helper's fds keep the programs and maps alive until close().
// A refused object is split program by program to find who was refused.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelError, run, uniqueName } from "../../../runtime/kernel/index.js";
import { BPFFS_ROOT, track } from "../../../runtime/kernel/resources.js";
import type { FastKernel } from "../kernel-fast/client.js";
import { buildObject, type RawProgram } from "./program.js";

export interface KernelProgram {
  fd: number;
  /** fd of the program's own array map. */
  mapFd: number;
}

export interface Rejection {
  program: RawProgram;
  /** bpftool/libbpf's output, with the verifier log. */
  log: string;
}

export interface LoadedBatch {
  programs: Map<string, KernelProgram>;
  rejected: Rejection[];
  /** How many bpftool spawns the load took. */
  spawns: number;
  close(): Promise<void>;
}

async function loadOnce(
  fast: FastKernel,
  programs: readonly RawProgram[],
): Promise<Map<string, KernelProgram> | string> {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-fuzz-"));
  const pinDir = join(BPFFS_ROOT, uniqueName("fuzz"));
  const dispose = track({ kind: "pin", path: pinDir });
  try {
    const obj = join(dir, "batch.o");
    writeFileSync(obj, buildObject(programs));
    try {
      await run("bpftool", ["prog", "loadall", obj, pinDir, "type", "xdp"], { timeoutMs: 120_000 });
    } catch (e) {
      if (e instanceof KernelError) return `${e.message}\n${e.stderr ?? ""}`;
      throw e;
    }
    const out = new Map<string, KernelProgram>();
    for (const p of programs) {
      const opened = await fast.open(join(pinDir, p.name));
      const map = opened.maps.find((m) => m.name === p.map.slice(0, 15));
      if (!map) throw new Error(`program ${p.name}: kernel lists no map ${p.map}`);
      out.set(p.name, { fd: opened.fd, mapFd: map.fd });
    }
    return out;
  } finally {
    dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads `programs` (one spawn when all are accepted; one more per program when some are not). */
export async function loadBatch(
  fast: FastKernel,
  programs: readonly RawProgram[],
): Promise<LoadedBatch> {
  const loaded = new Map<string, KernelProgram>();
  const rejected: Rejection[] = [];
  let spawns = 1;
  const first = await loadOnce(fast, programs);
  if (typeof first !== "string") {
    for (const [k, v] of first) loaded.set(k, v);
  } else if (programs.length === 1) {
    rejected.push({ program: programs[0]!, log: first });
  } else {
    for (const p of programs) {
      spawns++;
      const one = await loadOnce(fast, [p]);
      if (typeof one === "string") rejected.push({ program: p, log: one });
      else for (const [k, v] of one) loaded.set(k, v);
    }
  }
  return {
    programs: loaded,
    rejected,
    spawns,
    close: () => fast.close([...loaded.values()].flatMap((p) => [p.fd, p.mapFd])),
  };
}
