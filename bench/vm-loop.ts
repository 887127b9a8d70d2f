// Interpreter throughput on the tight loop of issue 9: sum of i for i below
// N, three instructions per iteration (add, add, jlt), in million BPF
// instructions per second, for both tiers: the reference interpreter and the
// translating tier (BPF -> JavaScript function). One table: medians of
// ROUNDS runs of each tier (interleaved, so both see the same machine
// load), CPU time (process.cpuUsage: user + system of this process) and
// wall time, the load average, and ratios.
//
// uBPF's C interpreter: the issue quotes about 218 M insn/s "on this kind of
// machine"; that figure is quoted, not measured here. When UBPF_BENCH names
// an executable that runs the same loop on uBPF's interpreter and prints
// "<cpu M/s> <wall M/s> <r0>" per round (built outside the repo from a
// snapshot of iovisor/ubpf; its code is not part of tsbpf), it is run in
// the same process tree right after, and the table shows the ratio to it.
//
// Usage: npx tsx bench/vm-loop.ts [N]   (UBPF_BENCH=/path/to/ubpf-bench optional)

import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { Add64, Exit, Jlt, Mov64, Reg, label, resolveLabels } from "../bpf/isa/index.js";
import { createVm, type Vm, type VmTier } from "../runtime/vm/index.js";

const N = Number(process.argv[2] ?? 20_000_000);
const ROUNDS = 7;
const UBPF_QUOTED = 218;

const program = [
  Mov64.imm(Reg.R0, 0),
  Mov64.imm(Reg.R1, 0),
  label("loop", Add64.reg(Reg.R0, Reg.R1)),
  Add64.imm(Reg.R1, 1),
  Jlt.imm(Reg.R1, N, "loop"),
  Exit(),
];
resolveLabels(program);
const expected = (BigInt(N) * BigInt(N - 1)) / 2n;

interface Rates {
  cpu: number[];
  wall: number[];
}

function once(vm: Vm, rates: Rates): void {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = vm.run();
  const ns = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  if (!result.ok) throw new Error(result.fault.message);
  if (result.r0 !== expected) throw new Error(`wrong sum ${result.r0}, expected ${expected}`);
  rates.wall.push((result.instructions / ns) * 1000);
  rates.cpu.push(result.instructions / (c.user + c.system));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const loadBefore = loadavg()[0]!;
const tiers: VmTier[] = ["interpret", "translate"];
const vms = tiers.map((tier) => createVm({ code: program, budget: 4 * N, tier }));
const rates: Rates[] = tiers.map(() => ({ cpu: [], wall: [] }));
// One unmeasured run each: translation and V8's optimisation happen here.
for (const vm of vms) vm.run();
for (let round = 0; round < ROUNDS; round++) vms.forEach((vm, k) => once(vm, rates[k]!));

let ubpf: Rates | undefined;
const ubpfPath = process.env.UBPF_BENCH;
if (ubpfPath) {
  const out = spawnSync(ubpfPath, [String(N)], { encoding: "utf8" });
  const rows = out.stdout
    .trim()
    .split("\n")
    .map((l) => l.split(/\s+/).map(Number));
  if (out.status === 0 && rows.every((r) => BigInt(r[2]!) === expected)) {
    ubpf = { cpu: rows.map((r) => r[0]!), wall: rows.map((r) => r[1]!) };
  } else console.log(`UBPF_BENCH failed: ${out.stderr || out.stdout}`);
}
const loadAfter = loadavg()[0]!;

const cell = (s: string, w: number) => s.padStart(w);
console.log(
  `vm-loop: N=${N} (${3 * N + 3} instructions per run), medians of ${ROUNDS} runs per tier; ` +
    `load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${cpus().length} CPUs`,
);
const head = ["tier", "CPU M/s", "wall M/s", "CPU/218 (quoted)"];
if (ubpf) head.push("CPU/uBPF (measured)", "wall/uBPF");
console.log(head.map((h, k) => cell(h, k === 0 ? 22 : h.length + 2)).join(""));
const rows: [string, Rates][] = tiers.map((t, k) => [t === "interpret" ? "reference interpreter" : "translating tier", rates[k]!]); // prettier-ignore
if (ubpf) rows.push(["uBPF interpreter (C)", ubpf]);
for (const [name, r] of rows) {
  const cpu = median(r.cpu);
  const wall = median(r.wall);
  const cols = [cpu.toFixed(0), wall.toFixed(0), (cpu / UBPF_QUOTED).toFixed(2)];
  if (ubpf) cols.push((cpu / median(ubpf.cpu)).toFixed(2), (wall / median(ubpf.wall)).toFixed(2));
  console.log(cell(name, 22) + cols.map((c, k) => cell(c, head[k + 1]!.length + 2)).join(""));
}
console.log(
  `translating / reference: ${(median(rates[1]!.cpu) / median(rates[0]!.cpu)).toFixed(2)}x CPU, ` +
    `${(median(rates[1]!.wall) / median(rates[0]!.wall)).toFixed(2)}x wall` +
    (ubpf ? "" : " (set UBPF_BENCH for an in-run uBPF measurement)"),
);
