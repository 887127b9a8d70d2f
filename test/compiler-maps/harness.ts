// Shared machinery for the part-2 compiler tests: a case is a fixture under
// test/fixtures/compiler-maps with its program type, packets and expected
// return values, the map contents expected afterwards (read back with
// bpftool in the kernel, and from the bundled interpreter), and an optional
// set-up that fills maps first (devmap entries, program arrays).

import { join } from "node:path";
import type { MapEntry } from "../../runtime/kernel/index.js";
import { FIXTURES } from "../compiler/compile-fixture.js";

export const DIR = join(FIXTURES, "../compiler-maps");

export interface Run {
  name: string;
  packet: number[];
  retval: number;
  /** Expected data_out (LWT: including the 14 zero bytes the kernel puts back). */
  out?: number[];
}

/** Map contents after all runs: entries keyed by hex of the key bytes -> value bytes. */
export type MapExpectation = Record<string, number[]>;

export interface MapsCase {
  file: string;
  type: "xdp" | "lwt_xmit";
  /** Program to run (default: the file's base name). */
  program?: string;
  runs: Run[];
  /** Map name (or suffix such as ".bss") -> expected entries; values compared byte for byte. */
  maps?: Record<
    string,
    MapExpectation | ((entries: MapEntry[], dumpAgain: () => Promise<MapEntry[]>) => unknown)
  >;
  /** Fills maps before the runs (kernel side); gets map ids by name and the pin dir. */
  setup?: (env: SetupEnv) => Promise<void>;
  /** Why the interpreter comparison is skipped for this program, if it is. */
  noInterpreter?: string;
  /** Interpreter set-up (mirrors `setup`). */
  interpSetup?: (obj: import("../../runtime/index.js").TsbpfObject) => void;
  /** Extra checks on the interpreter's object after the runs (ring buffer records...). */
  interpCheck?: (obj: import("../../runtime/index.js").TsbpfObject) => void;
}

export interface SetupEnv {
  mapId(name: string): number;
  /** Makes a map created by the set-up findable by name (for the map checks). */
  addMap(name: string, id: number): void;
  pinDir: string;
}

export function hex(bytes: ArrayLike<number>): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function le(value: number | bigint, size: number): number[] {
  let v = BigInt.asUintN(size * 8, BigInt(value));
  const out: number[] = [];
  for (let i = 0; i < size; i++, v >>= 8n) out.push(Number(v & 0xffn));
  return out;
}

/** Kernel map entries as {hexKey: value bytes}; per-CPU maps: the sum over CPUs of a u64 value. */
export function entriesOf(entries: MapEntry[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const e of entries) {
    if (e.value) out[hex(e.key)] = [...e.value];
    else if (e.values) out[hex(e.key)] = sumPerCpu(e.values.map((v) => v.value));
  }
  return out;
}

/** Per-CPU values summed field by field as u64s (the statistics tests count in u64s). */
export function sumPerCpu(values: Uint8Array[]): number[] {
  const size = values[0]?.length ?? 0;
  const out: number[] = [];
  for (let off = 0; off + 8 <= size; off += 8) {
    let s = 0n;
    for (const v of values) s += new DataView(v.buffer, v.byteOffset).getBigUint64(off, true);
    out.push(...le(s, 8));
  }
  return out;
}
