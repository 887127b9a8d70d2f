// `npx tsx test/fuzz/tools/heavy-loops.ts --seed S [--sources N] [--over W]`: a verifying
// sweep of only the generated programs nearest to the loop budget (program/stmts.ts
// LOOP_BRANCHES): those with a loop the budget cut, or weighing (points x trips) over W
// (default 30). They are a few percent of a campaign's programs and hold its largest
// verifier costs, so this checks the budget's margin at a tenth of a full sweep's compile
// time. Prints each program's heaviest loop and processed-instruction count, then the
// largest; exits 1 when the verifier refused one.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../../compiler/index.js";
import { loadWithBpftool } from "../../../runtime/kernel/index.js";
import { loopsIn } from "../program/branches.js";
import { sourceStream } from "../program/campaign.js";
import { only, render } from "../program/source.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const seed = option("--seed", 1);
const sources = option("--sources", 50);
const over = option("--over", 30);
const dir = mkdtempSync(join(tmpdir(), "tsbpf-heavy-"));
const generate = sourceStream(seed);
let programs = 0;
let refused = 0;
let largest = 0;
try {
  for (let n = 0; n < sources; n++) {
    const { src } = generate(n);
    for (const u of src.units) {
      const loops = loopsIn(u.items);
      const weight = Math.max(0, ...loops.map((l) => l.points * l.trips));
      if (!loops.some((l) => l.trips < l.drawn) && weight <= over) continue;
      programs++;
      const r = compile({ fileName: "gen.ts", text: render(only(src, [u.name])) });
      if (!r.object) throw new Error(`${u.name}: the compiler refused it`);
      const obj = join(dir, `${u.name}.o`);
      writeFileSync(obj, r.object);
      try {
        const h = await loadWithBpftool(obj, { type: "xdp", timeoutMs: 600_000 });
        h.dispose();
        const processed = h.verifierProcessedInsns ?? 0;
        largest = Math.max(largest, processed);
        console.log(`seed ${seed} ${u.name}: heaviest loop ${weight}, processed ${processed}`);
      } catch (e) {
        refused++;
        const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
        console.log(`seed ${seed} ${u.name}: heaviest loop ${weight}, REFUSED ${why}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${programs} programs near the budget, ${refused} refused, largest ${largest}`);
process.exitCode = refused ? 1 : 0;
