// Interpreter throughput on the tight loop of issue 9: sum of i for i below
// N, three instructions per iteration (add, add, jlt), printed as million
// BPF instructions per second (median of several runs).
// Usage: npx tsx bench/vm-loop.ts [N]

import { Add64, Exit, Jlt, Mov64, Reg, label, resolveLabels } from "../bpf/isa/index.js";
import { cpus, loadavg } from "node:os";
import { createVm } from "../runtime/vm/index.js";

const N = Number(process.argv[2] ?? 20_000_000);
const ROUNDS = 7;

const program = [
  Mov64.imm(Reg.R0, 0),
  Mov64.imm(Reg.R1, 0),
  label("loop", Add64.reg(Reg.R0, Reg.R1)),
  Add64.imm(Reg.R1, 1),
  Jlt.imm(Reg.R1, N, "loop"),
  Exit(),
];
resolveLabels(program);

const vm = createVm({ code: program, budget: 4 * N });
const expected = (BigInt(N) * BigInt(N - 1)) / 2n;
// Wall-clock and CPU-time rates: on a shared, loaded machine the CPU-time
// figure (process.cpuUsage) is the steadier one; both are printed.
const wall: number[] = [];
const cpu: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = vm.run();
  const ns = Number(process.hrtime.bigint() - t0);
  const c = process.cpuUsage(c0);
  if (!result.ok) throw new Error(result.fault.message);
  if (result.r0 !== expected) throw new Error(`wrong sum ${result.r0}, expected ${expected}`);
  wall.push((result.instructions / ns) * 1000);
  cpu.push(result.instructions / (c.user + c.system));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const load = loadavg()[0]!.toFixed(1);
console.log(
  `vm-loop: N=${N}, ${3 * N + 3} instructions per run, median of ${ROUNDS}: ` +
    `${median(wall).toFixed(0)} M insn/s wall-clock, ${median(cpu).toFixed(0)} M insn/s CPU time ` +
    `(best ${Math.max(...cpu).toFixed(0)}; load average ${load} on ${cpus().length} CPUs)`,
);
