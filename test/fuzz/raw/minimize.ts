// Delta debugging of a disagreement: drop packets the failure does not need,
// then remove items (whole instruction groups, see program.ts) in shrinking
// chunks while the two sides still disagree, then try removing single
// instructions inside the items that are left. A candidate the verifier
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

  // ddmin over items: remove chunks, halving the chunk size when nothing goes.
  let items = best.case.program.items;
  for (let chunk = Math.max(1, items.length >> 1); chunk >= 1 && Date.now() < deadline;) {
    let removed = false;
    for (let at = 0; at < items.length && Date.now() < deadline;) {
      const candidate = [...items.slice(0, at), ...items.slice(at + chunk)];
      const d = candidate.length ? await check(withItems(candidate)) : undefined;
      if (d) {
        best = d;
        items = candidate;
        removed = true;
      } else at += chunk;
    }
    if (!removed) chunk >>= 1;
  }

  // Single instructions inside the surviving items.
  for (let i = 0; i < items.length && Date.now() < deadline; i++) {
    for (let j = 0; j < items[i]!.insns.length && Date.now() < deadline;) {
      const it = items[i]!;
      const shorter = { ...it, insns: [...it.insns.slice(0, j), ...it.insns.slice(j + 1)] };
      // Labels on a dropped instruction move to the next one of the item.
      const dropped = it.insns[j]!;
      if (dropped.labels && shorter.insns[j]) {
        shorter.insns[j] = {
          ...shorter.insns[j]!,
          labels: [...dropped.labels, ...(shorter.insns[j]!.labels ?? [])],
        };
      }
      const candidate = items.map((x, k) => (k === i ? shorter : x));
      const d = await check(withItems(candidate));
      if (d) {
        best = d;
        items = candidate;
      } else j++;
    }
  }
  return best;
}
