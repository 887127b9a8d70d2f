// The map interface shared by every map family, and the environment maps are
// created in (CPU count and current CPU, hash seed, map and program registry).
// Maps are pure data structures: the interpreter calls `lookup`/`update`/...
// with the helper semantics, tests and users call `get`/`set`/`entries`
// with the bpf(2) syscall semantics. Errors are returned as negative errno
// numbers, never thrown, exactly as the kernel's helpers return them.

import { BPF_ANY, Errno } from "./constants.js";
import { userCopy, type ValueFields } from "./value-fields.js";

/** A map definition, as an ELF reader gives it (libbpf's `struct bpf_map_def` + BTF). */
export interface MapDef {
  /** A `MapType` id or its name ("hash", "lru_percpu_hash", ...). */
  type: number | string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  /** For bloom filters: the number of hash functions in the low 4 bits (0 means 5). */
  mapExtra?: number | bigint;
  /** For array/hash of maps: the inner map template (a definition or an existing map). */
  innerMap?: MapDef | BpfMap;
  name?: string;
}

/**
 * Which CPU a program is running on, and how many there are. The VM sets
 * `current` before a run; per-CPU maps and LRU lists read it at every call.
 */
export class CpuContext {
  constructor(
    readonly count: number,
    public current = 0,
  ) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`bad CPU count ${count}`);
  }
}

/** Everything a map needs from the world it lives in. */
export interface MapEnv {
  cpus: CpuContext;
  /**
   * The hash seed of hash maps and bloom filters when BPF_F_ZERO_SEED is not
   * given. The kernel draws a random one; default 0 makes iteration order
   * deterministic (and equal to the kernel's under BPF_F_ZERO_SEED).
   */
  hashSeed: number;
  /** Maps by id, for map-in-map values. */
  maps: Map<number, BpfMap>;
  /** Next id handed to a new map (the kernel's ids are global and increasing). */
  nextMapId: number;
  /** Interfaces that exist, for devmap values; undefined accepts any non-zero ifindex. */
  ifindexes?: Set<number>;
}

export function createEnv(opts: Partial<Omit<MapEnv, "cpus">> & { cpus?: number } = {}): MapEnv {
  return {
    cpus: new CpuContext(opts.cpus ?? 1),
    hashSeed: opts.hashSeed ?? 0,
    maps: opts.maps ?? new Map(),
    nextMapId: opts.nextMapId ?? 1,
    ...(opts.ifindexes ? { ifindexes: opts.ifindexes } : {}),
  };
}

/** Thrown only at creation, when the kernel would refuse BPF_MAP_CREATE. */
export class MapCreateError extends Error {
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
    this.name = "MapCreateError";
  }
}

/** Every map: program-side helpers and user-side syscall operations. */
export interface BpfMap {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  /**
   * The value's special fields (value-fields.ts), set by the loader from the
   * value's BTF: array, hash and LRU hash maps skip them on update and free
   * them when a value goes. Undefined: plain bytes.
   */
  valueFields?: ValueFields | undefined;

  /** bpf_map_lookup_elem from a program: the live value (same object while the element lives). */
  lookup(key: Uint8Array): Uint8Array | undefined;
  /** bpf_map_update_elem from a program: 0 or -errno. */
  update(key: Uint8Array, value: Uint8Array, flags: number): number;
  /** bpf_map_delete_elem (program and syscall agree): 0 or -errno. */
  delete(key: Uint8Array): number;
  /** BPF_MAP_GET_NEXT_KEY: the key after `key` (the first when undefined or absent); undefined at the end. */
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined;
  /** bpf_map_push_elem (queue, stack, bloom filter). */
  push(value: Uint8Array, flags: number): number;
  /** bpf_map_pop_elem: copies into `out`. */
  pop(out: Uint8Array): number;
  /** bpf_map_peek_elem: copies into `out` (bloom filter: tests membership of `out`). */
  peek(out: Uint8Array): number;

  /** BPF_MAP_LOOKUP_ELEM from user space: a copy (per-CPU: every CPU, each padded to 8 bytes). */
  get(key: Uint8Array): Uint8Array | undefined;
  /** BPF_MAP_UPDATE_ELEM from user space (per-CPU: one value for all CPUs, or every CPU's). */
  set(key: Uint8Array, value: Uint8Array, flags?: number): number;
  /** Every element in BPF_MAP_GET_NEXT_KEY order, as user space sees it. */
  entries(): IterableIterator<[Uint8Array, Uint8Array]>;
}

/** Common fields and the defaults the kernel gives to operations a map type lacks. */
export abstract class MapBase implements BpfMap {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly mapExtra: bigint;
  valueFields: ValueFields | undefined = undefined;

  constructor(
    protected readonly env: MapEnv,
    def: Required<Pick<MapDef, "keySize" | "valueSize" | "maxEntries">> & {
      type: number;
      flags: number;
      mapExtra: bigint;
      name: string;
    },
  ) {
    this.id = env.nextMapId++;
    this.name = def.name;
    this.type = def.type;
    this.keySize = def.keySize;
    this.valueSize = def.valueSize;
    this.maxEntries = def.maxEntries;
    this.flags = def.flags;
    this.mapExtra = def.mapExtra;
    env.maps.set(this.id, this);
  }

  abstract lookup(key: Uint8Array): Uint8Array | undefined;
  abstract update(key: Uint8Array, value: Uint8Array, flags: number): number;
  abstract delete(key: Uint8Array): number;
  abstract nextKey(key: Uint8Array | undefined): Uint8Array | undefined;

  push(_value: Uint8Array, _flags: number): number {
    return -Errno.EOPNOTSUPP;
  }
  pop(_out: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }
  peek(_out: Uint8Array): number {
    return -Errno.EOPNOTSUPP;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const v = this.lookup(key);
    return v && userCopy(v, this.valueFields);
  }

  set(key: Uint8Array, value: Uint8Array, flags = BPF_ANY): number {
    return this.update(key, value, flags);
  }

  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    // Bounded like a user-space loop over a map that does not change under it.
    let key = this.nextKey(undefined);
    for (let n = 0; key && n <= this.maxEntries; n++) {
      const v = this.get(key);
      if (v) yield [key, v];
      key = this.nextKey(key);
    }
  }
}

/** Little-endian u32 of a key (array indexes, devmap/cpumap keys). */
export function keyU32(key: Uint8Array): number {
  return (key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24)) >>> 0;
}

export function u32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** Map keys as strings, for JS Map lookups (latin1: one char per byte). */
export function keyString(key: Uint8Array): string {
  return String.fromCharCode(...key);
}

export function roundUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
