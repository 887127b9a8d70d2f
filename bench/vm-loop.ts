// Interpreter throughput on the tight loop of issue 9: sum of i for i below
// N, three instructions per iteration (add, add, jlt), printed as million
// BPF instructions per second (median of several runs).
// Usage: npx tsx bench/vm-loop.ts [N]

import { Add64, Exit, Jlt, Mov64, Reg, label, resolveLabels } from "../bpf/isa/index.js";
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
const rates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = process.hrtime.bigint();
  const result = vm.run();
  const ns = Number(process.hrtime.bigint() - t0);
  if (!result.ok) throw new Error(result.fault.message);
  if (result.r0 !== expected) throw new Error(`wrong sum ${result.r0}, expected ${expected}`);
  rates.push((result.instructions / ns) * 1000);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
console.log(
  `vm-loop: N=${N}, ${3 * N + 3} instructions per run, median ${median.toFixed(0)} M insn/s ` +
    `(min ${rates[0]!.toFixed(0)}, max ${rates[rates.length - 1]!.toFixed(0)})`,
);
