// The kernel's side of a comparison: BPF_PROG_TEST_RUN through bpftool,
// pinned to one CPU with taskset (so per-CPU map values land on a known
// CPU), and map snapshots as sorted hex key -> hex value (per-CPU maps:
// one value per CPU), the same shape interp-side.ts gives.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  dumpMap,
  programMaps,
  run,
  type BpftoolLoadHandle,
  type MapInfo,
} from "../../runtime/kernel/index.js";

export type MapSnapshot = Record<string, string | string[]>;

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export interface KernelRun {
  retval: number;
  dataOut: Uint8Array;
}

export async function kernelTestRun(pin: string, data: Uint8Array, cpu = 0): Promise<KernelRun> {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-cmp-"));
  try {
    const f = join(dir, "in.bin");
    writeFileSync(f, data);
    const args = ["-c", String(cpu), "bpftool", "-j", "prog", "run", "pinned", pin];
    args.push("data_in", f, "data_out", "-", "data_size_out", String(data.length + 4096));
    const r = await run("taskset", args);
    const j = JSON.parse(r.stdout) as { retval: number; data_out?: number[] };
    return { retval: j.retval, dataOut: Uint8Array.from(j.data_out ?? []) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Maps bpftool cannot dump (ring buffers, program arrays hold kernel objects). */
const UNDUMPABLE = new Set(["ringbuf", "prog_array", "perf_event_array", "user_ringbuf"]);

export interface KernelMaps {
  infos: MapInfo[];
}

export async function kernelMaps(handle: BpftoolLoadHandle): Promise<MapInfo[]> {
  return programMaps(handle);
}

export async function kernelSnapshot(info: MapInfo): Promise<MapSnapshot | string> {
  if (UNDUMPABLE.has(info.type)) return `not dumpable (${info.type})`;
  const out: MapSnapshot = {};
  for (const e of await dumpMap(info.id)) {
    const k = hex(e.key);
    // bpftool lists array-like slots whose lookup fails (an empty devmap slot) without a value.
    if (!e.values && !e.value?.length) continue;
    if (e.values) out[k] = e.values.sort((a, b) => a.cpu - b.cpu).map((v) => hex(v.value));
    else out[k] = hex(e.value!);
  }
  return sortKeys(out);
}

export function sortKeys(m: MapSnapshot): MapSnapshot {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The kernel's name for one of our maps: `.maps` names truncated to 15
 * characters; libbpf names global data maps "<object prefix>.<section>"
 * (e.g. "globals.bss", "global.rodata.cs"), so match on the section part.
 */
export function kernelNameMatches(ours: string, kernel: string): boolean {
  if (!ours.startsWith(".")) return ours.slice(0, 15) === kernel;
  const dot = kernel.indexOf(".");
  if (dot < 0) return false;
  const sec = kernel.slice(dot);
  return ours === sec || (kernel.length === 15 && ours.startsWith(sec));
}
