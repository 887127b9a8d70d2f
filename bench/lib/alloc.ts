// What the bundled interpreter allocates on the JavaScript heap per packet
// in steady state (issue 9's memory target: nothing), per corpus program.
// Allocation is not counted by V8, so it is derived from the heap: after a
// full GC, the bytes allocated over a stretch of runs are the growth of the
// used heap plus what every GC in between freed (v8.GCProfiler reports each
// GC's heap before and after, synchronously). The packets run as the time
// measurement runs them (measure.ts): the same object, map entries and
// packets, on the default tier, warmed up first, with `repeat` so one call
// covers many packets; the per-call part (the context, the result object)
// is measured apart with single-packet calls and taken out.

import { GCProfiler } from "node:v8";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { loadObject } from "../../runtime/index.js";
import type { BenchProgram } from "../corpus.js";
import { warmUp } from "./measure.js";

export type AllocResult =
  | {
      ok: true;
      /** Bytes per packet with the per-call part taken out (repeat mode). */
      bytesPerPacket: number;
      /** GCs (any kind) during the repeat-mode packets. */
      gcs: number;
      /** Packets run in repeat mode. */
      packets: number;
      /** Bytes per plain run({ packet }) call: context, result, data_out copy. */
      bytesPerCall: number;
    }
  | { ok: false; error: string };

/** A full GC, exposed at run time (the bench runs under tsx, without --expose-gc). */
function fullGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Bytes allocated while `work` runs: heap growth plus what the GCs in between freed. */
function allocatedBy(gc: () => void, work: () => void): { bytes: number; gcs: number } {
  gc();
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  work();
  const after = process.memoryUsage().heapUsed;
  const stats = profiler.stop()?.statistics ?? [];
  let freed = 0;
  for (const s of stats) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize; // prettier-ignore
  return { bytes: after - before + freed, gcs: stats.length };
}

export function interpreterAllocation(
  object: Uint8Array,
  prog: BenchProgram,
  opts: { packets: number; repeat: number; calls: number; warmupMs: number },
): AllocResult {
  let program;
  try {
    const obj = loadObject(object, { cpus: 1 });
    for (const s of prog.setup ?? []) {
      obj.maps[s.map]?.set(Uint8Array.from(s.key), Uint8Array.from(s.value));
    }
    program = obj.program(prog.name);
  } catch (e) {
    return { ok: false, error: `load: ${(e as Error).message}` };
  }
  const packets = prog.packets.map((p) => Uint8Array.from(p.bytes));
  const gc = fullGc();
  // Warm up as measure.ts does: translated, map elements created, host JIT done.
  warmUp(() => {
    for (const packet of packets) program.run({ packet, repeat: opts.repeat });
  }, opts.warmupMs);
  for (let k = 0; k < opts.calls; k++) program.run({ packet: packets[k % packets.length]! });
  const single = allocatedBy(gc, () => {
    for (let k = 0; k < opts.calls; k++) program.run({ packet: packets[k % packets.length]! });
  });
  const bytesPerCall = single.bytes / opts.calls;
  let calls = 0;
  let ran = 0;
  const many = allocatedBy(gc, () => {
    while (ran < opts.packets) {
      for (const packet of packets) {
        program.run({ packet, repeat: opts.repeat });
        calls++;
        ran += opts.repeat;
      }
    }
  });
  return {
    ok: true,
    bytesPerPacket: Math.max(0, (many.bytes - calls * bytesPerCall) / ran),
    gcs: many.gcs,
    packets: ran,
    bytesPerCall,
  };
}
