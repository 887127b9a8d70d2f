// The raw fuzzer's program form: a list of items, each a few instructions
// that must stay together for the verifier to accept them (a bounds check
// and the accesses it guards, a helper call and the register resets after
// it), or a label that forward jumps target. The minimizer removes whole
// items; flattening attaches each label to the next instruction.

import { writeObject, type MapSpec } from "../../../bpf/elf/index.js";
import type { Instruction } from "../../../bpf/isa/index.js";

export interface Item {
  /** What generated it (for statistics and readable reproducers). */
  kind: string;
  insns: Instruction[];
  /** Set on label items (insns empty): jumps name it in `target`. */
  label?: string;
}

export interface RawProgram {
  name: string;
  /** The one array map the program reads and writes (compared after every packet). */
  map: string;
  items: Item[];
}

/** Every program's map: an array of 6 slots of 64 bytes (keys 6 and 7 miss on purpose). */
export const MAP_ENTRIES = 6;
export const MAP_VALUE = 64;

export function mapSpec(name: string): MapSpec {
  return {
    name,
    type: 2 /* BPF_MAP_TYPE_ARRAY */,
    maxEntries: MAP_ENTRIES,
    key: 4,
    value: MAP_VALUE,
  };
}

/** The instructions of a program, with labels moved onto the instruction after them. */
export function flatten(items: readonly Item[]): Instruction[] {
  const out: Instruction[] = [];
  let pending: string[] = [];
  for (const item of items) {
    if (item.label !== undefined) {
      pending.push(item.label);
      continue;
    }
    for (const insn of item.insns) {
      const copy: Instruction = { ...insn };
      if (insn.labels) copy.labels = [...insn.labels];
      if (pending.length) {
        copy.labels = [...pending, ...(copy.labels ?? [])];
        pending = [];
      }
      out.push(copy);
    }
  }
  return out;
}

/** One ELF object holding every program (section "xdp", one map each), license GPL. */
export function buildObject(programs: readonly RawProgram[]): Uint8Array {
  return writeObject({
    license: "GPL",
    programs: programs.map((p) => ({ name: p.name, section: "xdp", insns: flatten(p.items) })),
    maps: programs.map((p) => mapSpec(p.map)),
  });
}

/** JSON-safe form of instructions (imm64 as a decimal string). */
export function insnsToJson(insns: readonly Instruction[]): unknown[] {
  return insns.map((i) => ({
    ...i,
    ...(i.imm64 !== undefined ? { imm64: i.imm64.toString() } : {}),
  }));
}

export function insnsFromJson(list: readonly Record<string, unknown>[]): Instruction[] {
  return list.map((i) => {
    const insn = { ...i } as unknown as Instruction;
    if (typeof i.imm64 === "string") insn.imm64 = BigInt(i.imm64);
    return insn;
  });
}
