// The bundled interpreter's time per packet on a corpus program, for the
// interpreter/JIT ratio. It runs in a child process of its own that loads
// nothing but the runtime (interp-child.ts), as a user's test would: in the
// bench's own process the compiler has been imported through tsx, which
// invalidates V8's ArrayBufferDetaching protector, and from then on every
// typed-array access in optimized code pays a detached-buffer check that a
// runtime-only process does not (bench/ANALYSIS.md). The tight loop
// (vm-loop.ts) is measured in a child for the same reason.

import { loadObject } from "../../runtime/index.js";
import type { BenchProgram } from "../corpus.js";
import { median } from "./stats.js";

export type InterpTime =
  { ok: true; ns: number; singleNs: number; instructions: number } | { ok: false; error: string };

/** Calls of run({ packet }) per packet for the single-run figure. */
const SINGLE_RUNS = 200;

/** CPU nanoseconds of this process so far. */
const cpuNs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
};

/**
 * Run `pass` until `ms` of CPU time have gone by (at least twice). The
 * translating tier is made of JavaScript functions that V8 compiles in the
 * background once they are hot, and recompiles after the first runs of a
 * path they had not seen (each deoptimization costs another compile, ~100 ms
 * of a loaded CPU here): a single pass measured the host's JIT warming up,
 * not the interpreter (counters went from ~2,000 to ~200 ns/packet over the
 * first second). The kernel's JIT compiled the program at load time.
 */
export function warmUp(pass: () => void, ms: number): void {
  const until = cpuNs() + ms * 1e6;
  let passes = 0;
  while (passes < 2 || cpuNs() < until) {
    pass();
    passes++;
  }
}

/**
 * The interpreter's mean ns per packet, measured as the kernel's time is:
 * each packet run `repeat` times in one call (BPF_PROG_TEST_RUN's repeat:
 * the same packet and context, set-up not counted per packet), the set's
 * mean taken per round, the median of the rounds returned. `singleNs` is
 * the plain `run({ packet })` per call, set-up and result included, so
 * nobody mistakes the first figure for the cost of one call. The timed
 * rounds follow `warmupMs` of untimed passes (see warmUp). CPU time
 * (process.cpuUsage): test_run's duration leaves out the time the kernel
 * was rescheduled, and wall time here would mostly count the wait for a
 * CPU on this loaded machine. The runtime's default tier ("auto":
 * interpreted, translated once hot) runs it, as for any user.
 */
export function interpreterTime(
  object: Uint8Array,
  prog: BenchProgram,
  opts: { rounds: number; repeat: number; warmupMs: number },
): InterpTime {
  let program;
  try {
    const obj = loadObject(object, { cpus: 1 });
    for (const s of prog.setup ?? []) {
      const map = obj.maps[s.map];
      if (!map) return { ok: false, error: `no map ${s.map}` };
      map.set(Uint8Array.from(s.key), Uint8Array.from(s.value));
    }
    program = obj.program(prog.name);
  } catch (e) {
    return { ok: false, error: `load: ${(e as Error).message}` };
  }
  const packets = prog.packets.map((p) => Uint8Array.from(p.bytes));
  warmUp(() => {
    for (const packet of packets) program.run({ packet, repeat: opts.repeat });
  }, opts.warmupMs);
  const rounds: number[] = [];
  let instructions = 0;
  for (let round = 0; round < opts.rounds; round++) {
    let ns = 0;
    instructions = 0;
    for (const packet of packets) {
      const c0 = process.cpuUsage();
      const r = program.run({ packet, repeat: opts.repeat });
      const c = process.cpuUsage(c0);
      ns += (c.user + c.system) * 1000;
      instructions += r.instructions;
      if (r.fault) return { ok: false, error: `fault: ${r.fault.message}` };
    }
    rounds.push(ns / opts.repeat / packets.length);
  }
  const c0 = process.cpuUsage();
  for (let k = 0; k < SINGLE_RUNS; k++) for (const packet of packets) program.run({ packet });
  const c = process.cpuUsage(c0);
  const singleNs = ((c.user + c.system) * 1000) / SINGLE_RUNS / packets.length;
  return {
    ok: true,
    ns: median(rounds),
    singleNs,
    instructions: instructions / opts.repeat / packets.length,
  };
}
