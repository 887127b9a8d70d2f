// The maps of a loaded object and the MapRegistry helpers see (env.ts).
// Maps from `.maps` are created with runtime/maps (BPF_MAP_CREATE's checks);
// each global data section (`.bss`, `.data`, `.rodata`, `.rodata.cst8`...)
// becomes a one-element array map holding its initial contents, as libbpf
// makes them, read-only for programs when it is `.rodata*`. Each map gets a
// zero-byte region whose address is the map pointer a relocated `lddw`
// gives (what BPF_PSEUDO_MAP_FD becomes in the kernel: it names the map, and
// loading through it faults); each global section gets a region over its
// live value, the address `lddw` of a variable points into.

import type { BpfObject } from "../../bpf/elf/index.js";
import type { MapRegistry } from "../env.js";
import {
  BPF_F_RDONLY_PROG,
  MapCreateError,
  PerfEventArrayMap,
  createMap,
  type BpfMap,
  type MapDef,
  type MapEnv,
} from "../maps/index.js";
import { REGION_HI, regionPtr, type Memory, type Region } from "../vm/memory.js";
import { VmError, type Pointer } from "../vm/types.js";
import { LoadError } from "./errors.js";

const KEY0 = new Uint8Array(4);

/** Map value regions kept from run to run before endRun drops them all. */
const VALUE_REGIONS_KEPT = 1024;

// A local copy: under tsx and vitest an imported binding is a getter call per read.
const REGION_HI_ = REGION_HI;

export class ObjectMaps implements MapRegistry {
  /** In lddw-index order: `.maps` maps, then global data sections. */
  readonly list: BpfMap[] = [];
  private readonly names = new Map<string, BpfMap>();
  private readonly handles = new Map<BpfMap, Region>();
  private readonly byRegion = new Map<Region, BpfMap>();
  /** Global data: the region over the section's live value. */
  private readonly data = new Map<BpfMap, Region>();
  /** Map value regions handed to programs (kept across runs, see endRun). */
  private readonly values = new Map<Uint8Array, Region>();

  constructor(
    private readonly mem: Memory,
    obj: BpfObject,
    private readonly env: MapEnv,
  ) {
    for (const m of obj.maps) {
      const def: MapDef = {
        type: m.type,
        keySize: m.keySize,
        valueSize: m.valueSize,
        maxEntries: m.maxEntries,
        flags: m.flags,
        name: m.name,
      };
      if (m.mapExtra !== undefined) def.mapExtra = m.mapExtra;
      if (m.inner) {
        const i = m.inner;
        def.innerMap = {
          type: i.type,
          keySize: i.keySize,
          valueSize: i.valueSize,
          maxEntries: i.maxEntries,
          flags: i.flags,
          name: i.name,
        };
      }
      const map = create(def, env);
      // The kernel's perf event array holds no event after load: output is
      // -ENOENT until user space attaches a reader (MapHandle.attachReader).
      if (map instanceof PerfEventArrayMap) map.detachReaders();
      this.add(m.name, map);
    }
    for (const g of obj.globals) {
      if (g.size === 0) continue;
      const flags = g.readonly ? BPF_F_RDONLY_PROG : 0;
      const map = create(
        { type: "array", keySize: 4, valueSize: g.size, maxEntries: 1, flags, name: g.name },
        env,
      );
      map.set(KEY0, g.data);
      this.add(g.name, map);
      const kind = g.readonly ? "rodata" : "global";
      this.data.set(
        map,
        mem.addRegion(kind, map.lookup(KEY0)!, { name: g.name, readOnly: g.readonly }),
      );
    }
  }

  index(name: string): number | undefined {
    const m = this.names.get(name);
    return m === undefined ? undefined : this.list.indexOf(m);
  }

  /** The lddw resolver's answer for src MAP_FD / MAP_VALUE with this map index. */
  resolve(src: number, index: number, offset: number): Pointer | undefined {
    const map = this.list[index];
    if (map === undefined) return undefined;
    if (src === 1) return this.pointerOf(map);
    const region = this.data.get(map);
    if (src === 2 && region) return region.ptr + BigInt(offset >>> 0);
    return undefined;
  }

  byPointer(ptr: Pointer): BpfMap | undefined {
    const at = this.mem.regionOf(ptr);
    return at && at.offset === 0 ? this.byRegion.get(at.region) : undefined;
  }

  require(ptr: Pointer, helper: string): BpfMap {
    const map = this.byPointer(ptr);
    if (map === undefined) {
      throw new VmError(
        "helper",
        `${helper}: 0x${BigInt.asUintN(64, ptr).toString(16)} is not a map`,
      );
    }
    return map;
  }

  byName(name: string): BpfMap | undefined {
    return this.names.get(name);
  }

  /**
   * Maps of the object have a handle from load time. Any other map of the
   * same map environment (an inner map created from user space and stored in
   * an array/hash of maps) gets one the first time a program is handed its
   * pointer (bpf_map_lookup_elem on an outer map), and from then on every
   * map helper resolves it, as the kernel's inner map pointer is a map.
   */
  pointerOf(map: BpfMap): Pointer {
    let r = this.handles.get(map);
    if (!r) {
      if (this.env.maps.get(map.id) !== map)
        throw new VmError("helper", `map ${map.name} does not belong to this object`);
      r = this.register(map, map.name || `id ${map.id}`);
    }
    return r.ptr;
  }

  all(): ReadonlyMap<string, BpfMap> {
    return this.names;
  }

  valuePointer(map: BpfMap, value: Uint8Array): Pointer {
    return regionPtr(this.valueRegion(map, value));
  }

  mapAt(hi: number, lo: number): BpfMap | undefined {
    const region = lo === 0 ? this.mem.regions[hi - REGION_HI_] : undefined;
    return region === undefined ? undefined : this.byRegion.get(region);
  }

  valueRegion(map: BpfMap, value: Uint8Array): number {
    const known = this.data.get(map);
    if (known && known.bytes === value) return known.slot;
    let r = this.values.get(value);
    if (!r) {
      const readOnly = (map.flags & BPF_F_RDONLY_PROG) !== 0;
      r = this.mem.addRegion("map_value", value, { name: `value of map ${map.name}`, readOnly });
      this.values.set(value, r);
    }
    return r.slot;
  }

  /**
   * The end of a run. A value's region outlives it (a run that looks up the
   * same element again reuses it, so the per-packet path registers
   * nothing); a verified program keeps no pointer across runs. Past
   * VALUE_REGIONS_KEPT (a map whose elements keep changing), all are dropped.
   */
  endRun(): void {
    if (this.values.size <= VALUE_REGIONS_KEPT) return;
    for (const r of this.values.values()) this.mem.removeRegion(r);
    this.values.clear();
  }

  private add(name: string, map: BpfMap): void {
    this.list.push(map);
    this.names.set(name, map);
    this.register(map, name);
  }

  /** The zero-byte region whose address is the map's pointer. */
  private register(map: BpfMap, name: string): Region {
    const r = this.mem.addRegion("memory", new Uint8Array(0), { name: `map ${name}` });
    this.handles.set(map, r);
    this.byRegion.set(r, map);
    return r;
  }
}

function create(def: MapDef, env: MapEnv): BpfMap {
  try {
    return createMap(def, env);
  } catch (e) {
    if (e instanceof MapCreateError) {
      throw new LoadError(`map ${def.name}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}
