// The interpreter's side of a comparison: map snapshots in the kernel
// side's shape (sorted hex key -> hex value; per-CPU maps one value per CPU,
// arrays every slot, as `bpftool map dump` lists them).

import type { MapHandle } from "../../runtime/index.js";
import { MapType } from "../../runtime/maps/index.js";
import { hex, sortKeys, type MapSnapshot } from "./kernel-side.js";

const PER_CPU = new Set<number>([
  MapType.PERCPU_ARRAY,
  MapType.PERCPU_HASH,
  MapType.LRU_PERCPU_HASH,
]);

export function interpSnapshot(m: MapHandle): MapSnapshot {
  const out: MapSnapshot = {};
  for (const [k] of m.entries()) {
    if (PER_CPU.has(m.type)) out[hex(k)] = (m.getPerCpu(k) ?? []).map(hex);
    else out[hex(k)] = hex(m.get(k)!);
  }
  return sortKeys(out);
}
