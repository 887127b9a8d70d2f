// Test helper: run a hand-written program (builder DSL) on a fresh VM.

import { resolveLabels, type Instruction } from "../../bpf/isa/index.js";
import { createVm, type RunResult, type VmOptions } from "../../runtime/vm/index.js";

export function runInsns(
  insns: Instruction[],
  options: Omit<VmOptions, "code"> = {},
  args: bigint[] = [],
): RunResult {
  resolveLabels(insns);
  return createVm({ code: insns, ...options }).run({ args });
}

/** r0 of a run that must succeed. */
export function r0(insns: Instruction[], options: Omit<VmOptions, "code"> = {}): bigint {
  const result = runInsns(insns, options);
  if (!result.ok) throw new Error(`unexpected fault: ${result.fault.message}`);
  return result.r0;
}

export const U64_MAX = (1n << 64n) - 1n;
export const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);
