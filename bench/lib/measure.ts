// Kernel run-time measurements of one corpus pair: the kernel's
// BPF_PROG_TEST_RUN average per packet for the tsbpf and clang objects,
// interleaved (the order alternates each round, packet by packet) so drift
// on this shared machine hits both. The interpreter's side is interp-time.ts.

import type { BenchProgram } from "../corpus.js";
import { runPacket, type Loaded } from "./kernel.js";
import { median } from "./stats.js";

export interface KernelTimes {
  /** Median over rounds of the mean ns per packet (averaged over the packet set). */
  tsNs: number;
  cNs: number;
  /** Median of the per-round ratios tsbpf / clang (paired, so drift cancels). */
  ratio: number;
}

/**
 * Kernel time of each object as loaded several times: every load gets its own
 * JIT image at its own address, and on this machine the same object's time
 * moves by up to ~12% with where its image lands (two loads of one object
 * gave ratios 1.045 and 0.926 in one run). So each round times every pair of
 * copies (tsbpf copy j against clang copy j, order alternating), and the
 * figures are medians over all rounds and copies.
 */
export async function kernelTimes(
  prog: BenchProgram,
  ts: Loaded[],
  c: Loaded[],
  opts: { rounds: number; repeat: number },
): Promise<KernelTimes> {
  const tsRounds: number[] = [];
  const cRounds: number[] = [];
  const ratios: number[] = [];
  const copies = Math.min(ts.length, c.length);
  for (let round = 0; round < opts.rounds; round++) {
    for (let copy = 0; copy < copies; copy++) {
      const [t, k] = [ts[copy]!, c[copy]!];
      let tsSum = 0;
      let cSum = 0;
      for (const packet of prog.packets) {
        const order = (round + copy) % 2 === 0 ? [t, k] : [k, t];
        for (const side of order) {
          const r = await runPacket(side, prog, packet, opts.repeat);
          if (side === t) tsSum += r.durationNs;
          else cSum += r.durationNs;
        }
      }
      tsRounds.push(tsSum / prog.packets.length);
      cRounds.push(cSum / prog.packets.length);
      ratios.push(cSum > 0 ? tsSum / cSum : NaN);
    }
  }
  return { tsNs: median(tsRounds), cNs: median(cRounds), ratio: median(ratios) };
}

/** Median over rounds of the kernel's mean ns per packet for one object alone. */
export async function kernelTimeOne(
  prog: BenchProgram,
  side: Loaded,
  opts: { rounds: number; repeat: number },
): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    let sum = 0;
    for (const packet of prog.packets) {
      sum += (await runPacket(side, prog, packet, opts.repeat)).durationNs;
    }
    rounds.push(sum / prog.packets.length);
  }
  return median(rounds);
}
