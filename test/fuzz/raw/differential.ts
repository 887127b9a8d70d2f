// Kernel vs interpreter on generated programs: each program runs on its
// packets in order on both sides (maps carry over from packet to packet on
// both), and after every packet r0, data_out and the program's array map
// are compared. The first difference ends that program's comparison.

import { readFileSync } from "node:fs";
import { loadObject, type TsbpfObject } from "../../../runtime/index.js";
import type { FastKernel } from "../kernel-fast/client.js";
import { loadBatch, type Rejection } from "./kernel-batch.js";
import { MAP_ENTRIES, buildObject, type RawProgram } from "./program.js";

export interface Case {
  program: RawProgram;
  packets: Uint8Array[];
}

/** What one side computed for one packet. */
export interface Observation {
  retval: number;
  packet: string;
  map: (string | string[] | null)[];
  /** Interpreter only: it stopped with a fault (the kernel never does on verified code). */
  fault?: string;
}

export interface Disagreement {
  case: Case;
  /** Index of the first packet whose observations differ. */
  packet: number;
  kernel: Observation;
  interpreter: Observation;
}

export interface BatchResult {
  /** Packets compared with both sides agreeing. */
  agreements: number;
  disagreements: Disagreement[];
  rejections: Rejection[];
  programs: number;
  packets: number;
  spawns: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

let cpus: number | undefined;
/** The kernel's possible CPUs: per-CPU state in the interpreter must have as many. */
export function possibleCpus(): number {
  if (cpus === undefined) {
    const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
    cpus = Math.max(...text.split(",").map((r) => Number(r.split("-").pop()))) + 1;
  }
  return cpus;
}

function interpRun(obj: TsbpfObject, p: RawProgram, packet: Uint8Array): Observation {
  const out = obj.program(p.name).run({ packet, cpu: 0 });
  const m = obj.maps[p.map]!;
  const map: Observation["map"] = [];
  for (let k = 0; k < MAP_ENTRIES; k++) {
    const v = m.get(k);
    map.push(v ? hex(v) : null);
  }
  return {
    retval: out.retval,
    packet: hex(out.packet),
    map,
    ...(out.fault
      ? { fault: `${out.fault.kind} at pc ${out.fault.pc}: ${out.fault.message}` }
      : {}),
  };
}

export function sameObservation(a: Observation, b: Observation): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Loads every case's program in one object on both sides and compares packet by packet. */
export async function runBatch(fast: FastKernel, cases: readonly Case[]): Promise<BatchResult> {
  const batch = await loadBatch(
    fast,
    cases.map((c) => c.program),
  );
  const result: BatchResult = {
    agreements: 0,
    disagreements: [],
    rejections: batch.rejected,
    programs: batch.programs.size,
    packets: 0,
    spawns: batch.spawns,
  };
  try {
    const live = cases.filter((c) => batch.programs.has(c.program.name));
    if (live.length === 0) return result;
    const obj = loadObject(buildObject(live.map((c) => c.program)), { cpus: possibleCpus() });
    for (const c of live) {
      const k = batch.programs.get(c.program.name)!;
      // Queue every packet with the helper first, so the kernel works while we interpret.
      const pending = c.packets.map((pkt) => fast.run(k.fd, pkt, [k.mapFd]));
      pending.forEach((p) => p.catch(() => {}));
      for (let i = 0; i < c.packets.length; i++) {
        const ours = interpRun(obj, c.program, c.packets[i]!);
        const kr = await pending[i]!;
        const theirs: Observation = { retval: kr.retval, packet: hex(kr.data), map: kr.maps[0]! };
        result.packets++;
        if (sameObservation(ours, theirs)) {
          result.agreements++;
          continue;
        }
        result.disagreements.push({ case: c, packet: i, kernel: theirs, interpreter: ours });
        await Promise.allSettled(pending);
        break;
      }
    }
    return result;
  } finally {
    await batch.close();
  }
}
