// Shrinks a generated program while a failure persists: tries dropping each
// statement, else-branch and top-level item (last first, so uses go before
// their declarations), keeps every drop after which `stillFails` holds, and
// repeats until a pass drops nothing or the time is up. Drops that make the
// source invalid simply fail the predicate and are undone.

import { cloneSource, type GenSource, type Node } from "./source.js";

type Path =
  { list: Node[]; index: number } | { owner: Extract<Node, { kind: "block" }>; orElse: true };

function paths(nodes: Node[], out: Path[]): void {
  nodes.forEach((n, index) => {
    out.push({ list: nodes, index });
    if (n.kind === "block") {
      paths(n.body, out);
      if (n.orElse) {
        out.push({ owner: n, orElse: true });
        paths(n.orElse, out);
      }
    }
  });
}

/** Every removable spot of a source, outermost first (indexes into a fresh clone). */
function allPaths(src: GenSource): Path[] {
  const out: Path[] = [];
  for (const u of src.units) paths(u.items, out);
  return out;
}

function apply(p: Path): void {
  if ("owner" in p) delete p.owner.orElse;
  else p.list.splice(p.index, 1);
}

export async function minimizeSource(
  src: GenSource,
  stillFails: (candidate: GenSource) => Promise<boolean>,
  opts: { timeMs: number; maxTrials?: number },
): Promise<{ source: GenSource; trials: number }> {
  const end = Date.now() + opts.timeMs;
  let best = cloneSource(src);
  let trials = 0;
  for (let progress = true; progress;) {
    progress = false;
    const count = allPaths(best).length;
    for (let i = count - 1; i >= 0; i--) {
      if (Date.now() > end || trials >= (opts.maxTrials ?? 400)) return { source: best, trials };
      const candidate = cloneSource(best);
      const spots = allPaths(candidate);
      if (i >= spots.length) continue;
      apply(spots[i]!);
      trials++;
      if (await stillFails(candidate)) {
        best = candidate;
        progress = true;
      }
    }
  }
  return { source: best, trials };
}
