// What the bundled interpreter allocates on the JavaScript heap per packet
// in steady state (issue 9's memory target: nothing), per corpus program.
// Allocation is not counted by V8, so it is derived from the heap: after a
// full GC, the bytes allocated over a stretch of runs are the growth of the
// used heap plus what every GC in between freed (v8.GCProfiler reports each
// GC's heap before and after, synchronously). The packets run as the time
// measurement runs them (measure.ts): the same object, map entries and
// packets, on the default tier, warmed up first, with `repeat` so one call
// covers many packets.
//
// Per packet is a difference of two stretches with the same calls: one of
// `repeat` packets per call and one of LONG_FACTOR x `repeat`. Each call's
// own part (context, result object, data_out copy) is the same in both and
// cancels; so does what V8 adds to the heap once per stretch whatever the
// packet count: old-space data from code it (re)compiles in the background,
// feedback, IC state, tens to a few hundred KB at random moments, which a
// plain heap-growth / packets figure reported as 1-2.5 bytes per packet for
// programs that allocate nothing on the run path (the sampling heap profiler
// saw none there, and that growth did not scale with the packet count).
// What does scale with packets is allocation per packet. The median of
// TRIALS differences is kept: a per-packet allocation is in every trial, a
// background compile lands in one stretch of some (in the short one it would
// make the difference too small, in the long one too large). The per-call
// bytes are measured apart with plain single-packet calls.

import { GCProfiler } from "node:v8";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { loadObject } from "../../runtime/index.js";
import type { BenchProgram } from "../corpus.js";
import { warmUp } from "./interp-time.js";

/** The long stretch runs this many times the packets of the short one, in the same calls. */
export const LONG_FACTOR = 10;
/** Short/long pairs measured; the median difference is kept. */
export const TRIALS = 3;

export type AllocResult =
  | {
      ok: true;
      /** Bytes per packet: (long - short stretch) / extra packets, median of TRIALS. */
      bytesPerPacket: number;
      /** GCs (any kind) during the long stretches. */
      gcs: number;
      /** Packets of one long stretch (repeat mode). */
      packets: number;
      /** Each trial's bytes per packet (negative: the short stretch had V8's growth). */
      trials: number[];
      /** Bytes per plain run({ packet }) call: context, result, data_out copy. */
      bytesPerCall: number;
    }
  | { ok: false; error: string };

/** A full GC, exposed at run time (the bench runs under tsx, without --expose-gc). */
export function fullGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Bytes allocated while `work` runs: heap growth plus what the GCs in between freed. */
export function allocatedBy(gc: () => void, work: () => void): { bytes: number; gcs: number } {
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
  // The same calls in both stretches: the packet set in turn until `packets` are covered.
  const calls = Math.max(1, Math.ceil(opts.packets / opts.repeat / packets.length)) * packets.length; // prettier-ignore
  const steady = steadyBytesPerPacket(gc, calls, opts.repeat, (k, repeat) => {
    program.run({ packet: packets[k % packets.length]!, repeat });
  });
  return { ok: true, ...steady, bytesPerCall };
}

/**
 * Bytes allocated per packet in steady state: `calls` calls of `runCall(k,
 * repeat)` (call k of the stretch, `repeat` packets) with `repeat` and with
 * LONG_FACTOR x `repeat`, the difference over the extra packets, the median
 * of `trialCount` pairs (see the top of this file). The program must be warm.
 */
export function steadyBytesPerPacket(
  gc: () => void,
  calls: number,
  repeat: number,
  runCall: (k: number, repeat: number) => void,
  trialCount = TRIALS,
): { bytesPerPacket: number; gcs: number; packets: number; trials: number[] } {
  const stretch = (r: number) =>
    allocatedBy(gc, () => {
      for (let k = 0; k < calls; k++) runCall(k, r);
    });
  const longRepeat = repeat * LONG_FACTOR;
  const extraPackets = calls * (longRepeat - repeat);
  const trials: number[] = [];
  let gcs = 0;
  for (let t = 0; t < trialCount; t++) {
    const short = stretch(repeat);
    const long = stretch(longRepeat);
    gcs += long.gcs;
    trials.push((long.bytes - short.bytes) / extraPackets);
  }
  const sorted = [...trials].sort((a, b) => a - b);
  return {
    bytesPerPacket: Math.max(0, sorted[trialCount >> 1]!),
    gcs,
    packets: calls * longRepeat,
    trials,
  };
}
