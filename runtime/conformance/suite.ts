// Running bpf_conformance cases on the VM with the suite's conventions:
// memory as a region with r1 = its address and r2 = its length, helper 5
// returning its first argument, the expected result compared on r0.

import { readFileSync } from "node:fs";
import { createVm, type HelperFn, type RunResult } from "../vm/index.js";

export interface ConformanceCase {
  name: string;
  /** Little-endian instruction slots, hex. */
  program: string;
  /** Input memory, hex (may be empty). */
  memory: string;
  /** Expected r0, e.g. "0x3" or "-1". */
  result: string;
}

export interface CaseOutcome {
  name: string;
  passed: boolean;
  expected: bigint;
  result: RunResult;
}

/** Hex bytes in any spacing ("b4 00", "b400", "b4  00  "), as the suite writes them. */
export function parseHex(text: string): Uint8Array {
  const digits = text.replace(/0x/gi, "").replace(/[^0-9a-fA-F]/g, "");
  if (digits.length % 2 !== 0) throw new Error(`odd number of hex digits (${digits.length})`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The suite's helper table: helper 5 returns r1. */
export const CONFORMANCE_HELPERS: ReadonlyMap<number, HelperFn> = new Map([[5, (_vm, r1) => r1]]);

/** Run one program with the suite's conventions. */
export function runConformance(program: Uint8Array, memory: Uint8Array): RunResult {
  const vm = createVm({ code: program, helpers: CONFORMANCE_HELPERS });
  const region = vm.mem.addRegion("memory", memory, { name: "memory" });
  return vm.run({ args: [region.ptr, BigInt(memory.length)] });
}

export function loadCases(path: string): ConformanceCase[] {
  return JSON.parse(readFileSync(path, "utf8")) as ConformanceCase[];
}

export function runCase(c: ConformanceCase): CaseOutcome {
  const expected = BigInt.asUintN(64, BigInt(c.result));
  const result = runConformance(parseHex(c.program), parseHex(c.memory));
  // The suite compares the low 32 bits of r0 (it reads the result as uint32).
  const passed = result.ok && BigInt.asUintN(32, result.r0) === BigInt.asUintN(32, expected);
  return { name: c.name, passed, expected, result };
}

export function runAll(cases: readonly ConformanceCase[]): CaseOutcome[] {
  return cases.map(runCase);
}
