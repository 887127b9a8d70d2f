// Delta debugging of a disagreement: drop packets the failure does not need,
// then remove body items (whole instruction groups, see program.ts, which
// keep the generator's invariants) in shrinking chunks while the two sides
// still disagree. Single instructions are not removed: that would break the
// invariants (a key never stored, a register never saved). A candidate the verifier
// refuses, or that no longer builds (a jump whose label went), does not
// disagree, so it is simply not kept. Every check is one kernel load.

import type { FastKernel } from "../kernel-fast/client.js";
import { runBatch, type Case, type Disagreement } from "./differential.js";
import type { Item } from "./program.js";

export interface MinimizeOptions {
  /** Stop shrinking after this long and keep what is smallest so far. */
  timeMs?: number;
}

export async function minimize(
  fast: FastKernel,
  found: Disagreement,
  opts: MinimizeOptions = {},
): Promise<Disagreement> {
  const deadline = Date.now() + (opts.timeMs ?? 60_000);
  let best = found;
  const check = async (c: Case): Promise<Disagreement | undefined> => {
    if (Date.now() > deadline) return undefined;
    try {
      return (await runBatch(fast, [c])).disagreements[0];
    } catch {
      return undefined; // e.g. the writer refused a label-less jump
    }
  };

  // Packets: the failing one alone first, then the prefix up to it.
  const failing = best.case.packets[best.packet]!;
  const alone = await check({ ...best.case, packets: [failing] });
  if (alone) best = alone;
  else {
    const prefix = await check({
      ...best.case,
      packets: best.case.packets.slice(0, best.packet + 1),
    });
    if (prefix) best = prefix;
  }

  const withItems = (items: Item[]): Case => ({
    ...best.case,
    program: { ...best.case.program, items },
  });

  // ddmin over the body items: remove chunks, halving the chunk size when nothing goes.
  // The prologue and epilogue stay: without them registers or stack bytes would be
  // read uninitialised, which the verifier allows a privileged loader and which
  // makes the kernel's answer depend on stack garbage (an artifact, not a bug).
  let items = best.case.program.items;
  const removable = (it: Item) => it.kind !== "prologue" && it.kind !== "epilogue";
  for (
    let chunk = Math.max(1, items.filter(removable).length >> 1);
    chunk >= 1 && Date.now() < deadline;
  ) {
    let removed = false;
    for (let at = 0; Date.now() < deadline;) {
      const body = items.map((it, i) => [it, i] as const).filter(([it]) => removable(it));
      if (at >= body.length) break;
      const drop = new Set(body.slice(at, at + chunk).map(([, i]) => i));
      const candidate = items.filter((_, i) => !drop.has(i));
      const d = await check(withItems(candidate));
      if (d) {
        best = d;
        items = candidate;
        removed = true;
      } else at += chunk;
    }
    if (!removed) chunk >>= 1;
  }
  return best;
}
