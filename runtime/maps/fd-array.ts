// The "fd array" maps (kernel/bpf/arraymap.c): program arrays for tail
// calls, perf event arrays, arrays of maps and cgroup arrays. User space
// stores a handle (in the kernel a file descriptor; here a program handle, a
// CPU's perf reader, a map id or a cgroup id) at an index; programs cannot
// update them. Updates take
// only BPF_ANY; delete of an empty slot is -ENOENT.

import { BPF_ANY, BPF_F_CTXLEN_MASK, BPF_F_CURRENT_CPU, BPF_F_INDEX_MASK } from "./constants.js";
import { Errno } from "./constants.js";
import { arrayNextKey } from "./array.js";
import type { MapInit } from "./hash.js";
import { MapBase, keyU32, u32Bytes, type BpfMap, type MapEnv } from "./types.js";
import { metaEqual } from "./inner-map.js";

abstract class FdArrayMap<T> extends MapBase {
  protected readonly slots: (T | undefined)[];

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.slots = new Array<T | undefined>(def.maxEntries).fill(undefined);
  }

  /** The object a handle names, or a negative -errno (the kernel's map_fd_get_ptr). */
  protected abstract resolve(handle: number): T | number;
  /** What the syscall's lookup reports for an object (a program or map id). */
  protected abstract idOf(obj: T): number;

  lookup(_key: Uint8Array): Uint8Array | undefined {
    return undefined;
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }

  /** BPF_MAP_UPDATE_ELEM: `value` is the u32 handle. */
  override set(key: Uint8Array, value: Uint8Array, flags = BPF_ANY): number {
    if (flags !== BPF_ANY) return -Errno.EINVAL;
    const index = keyU32(key);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    const obj = this.resolve(keyU32(value));
    if (typeof obj === "number" && obj < 0) return obj;
    this.slots[index] = obj as T;
    return 0;
  }

  override get(key: Uint8Array): Uint8Array | undefined {
    const obj = this.slots[keyU32(key)];
    return obj === undefined ? undefined : u32Bytes(this.idOf(obj));
  }

  delete(key: Uint8Array): number {
    const index = keyU32(key);
    if (index >= this.maxEntries) return -Errno.E2BIG;
    if (this.slots[index] === undefined) return -Errno.ENOENT;
    this.slots[index] = undefined;
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return arrayNextKey(key, this.maxEntries);
  }

  /** The object at `index` (tail call target, inner map, perf reader). */
  at(index: number): T | undefined {
    return this.slots[index];
  }
}

/** BPF_MAP_TYPE_PROG_ARRAY: index -> program handle, for bpf_tail_call. */
export class ProgArrayMap extends FdArrayMap<number> {
  protected resolve(handle: number): number {
    return handle;
  }
  protected idOf(handle: number): number {
    return handle;
  }
  /** The program bpf_tail_call(ctx, map, index) jumps to; undefined falls through. */
  tailCallTarget(index: number): number | undefined {
    return this.slots[index >>> 0];
  }
}

/** One record bpf_perf_event_output wrote, as a perf reader on that CPU gets it. */
export interface PerfRecord {
  cpu: number;
  data: Uint8Array;
}

/**
 * BPF_MAP_TYPE_PERF_EVENT_ARRAY: slot i holds a perf event of CPU i. A map
 * created on its own starts with every slot below the CPU count open, as
 * libbpf's perf_buffer sets it up; the loader (loadObject) closes them, as
 * the kernel's map starts empty after load, and a user opens them with
 * `attachReader` (the API's MapHandle.attachReader). `set` opens a slot (the
 * value is the CPU), `delete` closes one.
 */
export class PerfEventArrayMap extends FdArrayMap<number> {
  /** Records captured per CPU, in output order. */
  readonly records: PerfRecord[][];

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.records = Array.from({ length: env.cpus.count }, () => []);
    for (let i = 0; i < Math.min(def.maxEntries, env.cpus.count); i++) this.slots[i] = i;
  }

  protected resolve(cpu: number): number {
    return cpu < this.env.cpus.count ? cpu : -Errno.EINVAL;
  }
  protected idOf(cpu: number): number {
    return cpu;
  }

  /**
   * bpf_perf_event_output(ctx, map, flags, data, size): the caller appends
   * the context bytes BPF_F_CTXLEN_MASK asks for to `data`.
   */
  output(flags: bigint, data: Uint8Array): number {
    if (flags & ~(BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK)) return -Errno.EINVAL;
    const cpu = this.env.cpus.current;
    let index = Number(flags & BPF_F_INDEX_MASK);
    if (BigInt(index) === BPF_F_CURRENT_CPU) index = cpu;
    if (index >= this.maxEntries) return -Errno.E2BIG;
    const eventCpu = this.slots[index];
    if (eventCpu === undefined) return -Errno.ENOENT;
    // The event must belong to the CPU the program runs on.
    if (eventCpu !== cpu) return -Errno.EOPNOTSUPP;
    this.records[cpu]!.push({ cpu, data: data.slice() });
    return 0;
  }

  /**
   * Open a perf event (a reader, as libbpf's perf_buffer__new does) on each
   * CPU in `cpus` (default: every CPU), in the slot of that CPU's index.
   */
  attachReader(cpus?: readonly number[]): void {
    const list = cpus ?? Array.from({ length: this.env.cpus.count }, (_, i) => i);
    for (const cpu of list) {
      if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.env.cpus.count)
        throw new RangeError(`no CPU ${cpu} (${this.env.cpus.count} CPUs)`);
      if (cpu < this.maxEntries) this.slots[cpu] = cpu;
    }
  }

  /** Close every slot: output then fails with -ENOENT, as on a freshly loaded kernel map. */
  detachReaders(): void {
    this.slots.fill(undefined);
  }

  /** Takes every captured record, CPU by CPU. */
  drain(): PerfRecord[] {
    const out = this.records.flat();
    for (const r of this.records) r.length = 0;
    return out;
  }
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS: index -> inner map, given by map id. */
export class ArrayOfMapsMap extends FdArrayMap<BpfMap> {
  constructor(
    env: MapEnv,
    def: MapInit,
    readonly inner: BpfMap,
  ) {
    super(env, def);
  }
  protected resolve(id: number): BpfMap | number {
    const m = this.env.maps.get(id);
    if (!m) return -9; // EBADF: no such map
    return metaEqual(this.inner, m) ? m : -Errno.EINVAL;
  }
  protected idOf(m: BpfMap): number {
    return m.id;
  }
  /** What a program's bpf_map_lookup_elem gets: the inner map. */
  lookupMap(key: Uint8Array): BpfMap | undefined {
    return this.slots[keyU32(key)];
  }
}

/**
 * BPF_MAP_TYPE_CGROUP_ARRAY: index -> cgroup, for bpf_skb_under_cgroup and
 * bpf_current_task_under_cgroup. User space stores a cgroup fd in the
 * kernel; the runtime has no fds, so the u32 stored is the cgroup's id (its
 * cgroup v2 directory's inode number, as the simulated cgroups of
 * runtime/helpers/cgroups.ts are named). 0 names no cgroup (-EBADF). The
 * kernel has no user-space lookup for this map (-EOPNOTSUPP): get gives nothing.
 */
export class CgroupArrayMap extends FdArrayMap<number> {
  protected resolve(id: number): number {
    return id === 0 ? -Errno.EBADF : id;
  }
  protected idOf(id: number): number {
    return id;
  }
  override get(_key: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
}
