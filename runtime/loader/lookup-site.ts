// bpf_map_lookup_elem at one call site of translated code (see
// runtime/translate/helper-site.ts). The generic helper (helpers/core.ts)
// resolves the map from r1 through the registry, copies the key, asks the
// map family with instanceof tests and finds the value's region in a Map,
// on every call. A call site almost always names one map and, run after run
// on the same packet, finds the same element, so this closure keeps both:
//
// - the map r1 named last (its pointer's region and the registry it came
//   from), so the map's own `lookup` is called directly;
// - the value the lookup returned last and the region that holds it, so a
//   repeated hit hands back the same pointer without a registry lookup.
//
// Each cached fact is checked before it is used (same registry, the
// pointer's region still registered, the value's region still registered
// over the same bytes), and anything else — an unknown pointer, an
// unreadable key, a map of maps, a call outside a run — goes to the generic
// helper, which raises the same faults as before. The result is the one the
// generic helper gives: the lookup runs on the map every time (an LRU map
// sees the access), only the bookkeeping around it is skipped.

import type { MapRegistry, RunEnv } from "../env.js";
import { ArrayOfMapsMap, HashOfMapsMap, type BpfMap } from "../maps/index.js";
import { REGION_HI, type Region } from "../vm/memory.js";
import type { RegisterHelperFn, VmHandle } from "../vm/types.js";
import type { Vm } from "../vm/vm.js";

// A local copy: under tsx and vitest an imported binding is a getter call per read.
const HI = REGION_HI;

/** A fresh per-site bpf_map_lookup_elem over `generic` (the bridge's function for the helper). */
export function lookupSite(
  current: { env: RunEnv | undefined },
  generic: RegisterHelperFn,
): RegisterHelperFn {
  // The map r1 named last: the registry, the pointer's high half and region.
  let maps: MapRegistry | undefined;
  let mapHi = -1;
  let mapRegion: Region | undefined;
  let map: BpfMap | undefined;
  let key = new Uint8Array(0);
  // The value the last lookup returned and its region.
  let lastValue: Uint8Array | undefined;
  let lastRegion: Region | undefined;

  /** The generic helper, then what it found cached for the next call. */
  function slow(vm: VmHandle): bigint | number | undefined {
    const r = generic(vm);
    const env = current.env;
    const mem = (vm as Vm).mem;
    const U32 = vm.U32;
    const hi = U32[3]!;
    const region = U32[2] === 0 ? mem.regions[hi - HI] : undefined;
    const m = env !== undefined && env.maps.mapAt !== undefined ? env.maps.mapAt(hi, 0) : undefined;
    if (
      region === undefined ||
      m === undefined ||
      env!.maps.valueRegion === undefined ||
      m instanceof ArrayOfMapsMap ||
      m instanceof HashOfMapsMap
    ) {
      map = undefined;
      return r;
    }
    maps = env!.maps;
    mapHi = hi;
    mapRegion = region;
    if (map !== m) {
      map = m;
      key = new Uint8Array(m.keySize);
      lastValue = undefined;
      lastRegion = undefined;
    }
    return r;
  }

  const site = (vm: VmHandle): bigint | number | undefined => {
    const env = current.env;
    const m = map;
    const U32 = vm.U32;
    if (
      env === undefined ||
      m === undefined ||
      env.maps !== maps ||
      U32[3] !== mapHi ||
      U32[2] !== 0
    ) {
      return slow(vm);
    }
    const regions = (vm as Vm).mem.regions;
    if (regions[mapHi - HI] !== mapRegion) return slow(vm);
    // The key, as keyArg reads it (the region's bytes; out of bounds faults there).
    const keySlot = U32[5]! - HI;
    const keyRegion = keySlot >= 0 ? regions[keySlot] : undefined;
    const at = U32[4]!;
    // Locals: `key` is a closure variable V8 would reload (and check) per byte.
    const k = key;
    const len = k.length;
    if (keyRegion === undefined || at + len > keyRegion.bytes.length) return slow(vm);
    const bytes = keyRegion.bytes;
    for (let i = 0; i < len; i++) k[i] = bytes[at + i]!;
    const v = m.lookup(k);
    if (v === undefined) {
      U32[0] = 0;
      U32[1] = 0;
      return undefined;
    }
    let r = lastRegion;
    if (v !== lastValue || r === undefined || regions[r.slot] !== r || r.bytes !== v) {
      r = regions[maps.valueRegion!(m, v)]!;
      lastValue = v;
      lastRegion = r;
    }
    U32[0] = 0;
    U32[1] = HI + r.slot;
    return undefined;
  };
  return Object.assign(site, { registers: true as const });
}

/** Helpers with a per-site form, by name (the bridge in load.ts attaches it as `site`). */
export const SITE_HELPERS: Readonly<
  Record<
    string,
    (current: { env: RunEnv | undefined }, generic: RegisterHelperFn) => RegisterHelperFn
  >
> = { bpf_map_lookup_elem: lookupSite };
