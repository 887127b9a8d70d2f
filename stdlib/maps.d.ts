// Map classes: one per kernel map type offered to XDP and socket-buffer programs (the
// table stdlib/tables/maps.json gives each class its BPF_MAP_TYPE_*). A map is declared at
// module level with `new`; its methods compile to the map helpers. Struct keys and values
// are interfaces; lookups return live views (or Ref for integer values).
import type { AnyContext } from "./generated/types/contexts.js";

/** A live view of a value in map memory: the struct itself, or a Ref for integers. */
export type View<V> = V extends number ? Ref<V> : V;

export interface MapOptions {
  /** Maximum number of entries (RingBuf: size in bytes). */
  maxEntries: u32;
  /** map_flags (BPF_F_NO_PREALLOC, BPF_F_RDONLY_PROG, ...). */
  flags?: u32;
  /** "byName": pinned under /sys/fs/bpf/<map name> and shared with later loads. */
  pinning?: "byName";
}

export interface MapInMapOptions<M extends BpfMap> extends MapOptions {
  /** A map of the type every inner map has (its definition becomes the inner map template). */
  innerMap: M;
}

/** Base of every map class; raw helpers take a BpfMap as `struct bpf_map *`. */
export declare abstract class BpfMap {
  private readonly __map: unknown;
}

declare abstract class KeyedMap<K, V> extends BpfMap {
  /** bpf_map_lookup_elem: a live view of the value, or null when the key is absent. */
  lookup(key: K): View<V> | null;
  /** bpf_map_update_elem with BPF_ANY, BPF_NOEXIST, BPF_EXIST (| BPF_F_LOCK). */
  update(key: K, value: V, flags?: u64): i64;
  /** bpf_map_delete_elem. */
  delete(key: K): i64;
}

declare abstract class PerCpu<K, V> extends KeyedMap<K, V> {
  /** bpf_map_lookup_percpu_elem: the value of another CPU. */
  lookupOnCpu(key: K, cpu: u32): View<V> | null;
}

/** BPF_MAP_TYPE_HASH. */
export declare class HashMap<K, V> extends KeyedMap<K, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_ARRAY: indexes 0..maxEntries-1 always exist (delete fails). */
export declare class ArrayMap<V> extends KeyedMap<u32, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_PERCPU_HASH. */
export declare class PerCpuHash<K, V> extends PerCpu<K, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_PERCPU_ARRAY. */
export declare class PerCpuArray<V> extends PerCpu<u32, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_LRU_HASH. */
export declare class LruHash<K, V> extends KeyedMap<K, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_LRU_PERCPU_HASH. */
export declare class LruPerCpuHash<K, V> extends PerCpu<K, V> {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_LPM_TRIE: K must start with `prefixlen: u32`; needs flags BPF_F_NO_PREALLOC. */
export declare class LpmTrie<K extends { prefixlen: u32 }, V> extends KeyedMap<K, V> {
  constructor(options: MapOptions);
}

/** BPF_MAP_TYPE_RINGBUF: maxEntries is the size in bytes (power of two, page multiple). */
export declare class RingBuf extends BpfMap {
  constructor(options: MapOptions);
  /** bpf_ringbuf_reserve(sizeof T): a record to fill, then submit or discard; null when full. */
  reserve<T>(): T | null;
  /** bpf_ringbuf_submit. */
  submit<T>(record: T, flags?: u64): void;
  /** bpf_ringbuf_discard. */
  discard<T>(record: T, flags?: u64): void;
  /** bpf_ringbuf_output: copy `data` into the ring. */
  output<T>(data: T, flags?: u64): i64;
  /** bpf_ringbuf_query (BPF_RB_AVAIL_DATA, ...). */
  query(flags: u64): u64;
}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY. */
export declare class PerfEventArray extends BpfMap {
  constructor(options?: { maxEntries?: u32; pinning?: "byName" });
  /** bpf_perf_event_output(ctx, this, flags, &data, sizeof data); flags BPF_F_CURRENT_CPU. */
  output<T>(ctx: AnyContext, data: T, flags?: u64): i64;
}

/** BPF_MAP_TYPE_PROG_ARRAY: programs for tail calls. */
export declare class ProgArray extends BpfMap {
  constructor(options: MapOptions);
  /** bpf_tail_call: jumps to the program at `index`; returns only when there is none. */
  tailCall(ctx: AnyContext, index: u32): i64;
}

declare abstract class RedirectMap extends BpfMap {
  /** bpf_redirect_map(this, key, flags): XdpAction.REDIRECT, or the low bits of flags on a miss. */
  redirect(key: u32, flags?: u64): i64;
}
/** BPF_MAP_TYPE_DEVMAP: values are ifindexes (u32) or struct bpf_devmap_val. */
export declare class DevMap extends RedirectMap {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_DEVMAP_HASH. */
export declare class DevMapHash extends RedirectMap {
  constructor(options: MapOptions);
}
/**
 * BPF_MAP_TYPE_CPUMAP: key a CPU number, value struct bpf_cpumap_val { u32 qsize; u32 prog }
 * (8 bytes): the queue size (0 frees the CPU's slot) and, when set, the fd of a
 * second-stage program (`xdp({ attach: "cpumap" }, fn)`, section xdp/cpumap) that runs on
 * that CPU for every frame redirected there. User space fills it (bpf(2) BPF_MAP_UPDATE_ELEM).
 */
export declare class CpuMap extends RedirectMap {
  constructor(options: MapOptions);
}
/** BPF_MAP_TYPE_XSKMAP: AF_XDP sockets. */
export declare class XskMap extends RedirectMap {
  constructor(options: MapOptions);
  /** bpf_map_lookup_elem on an XSKMAP: non-null when a socket is bound at `index`. */
  lookup(index: u32): Ptr | null;
}

declare abstract class ValueStore<V> extends BpfMap {
  /** bpf_map_push_elem (flags BPF_EXIST: overwrite the oldest when full). */
  push(value: V, flags?: u64): i64;
}
/** BPF_MAP_TYPE_QUEUE (FIFO). */
export declare class Queue<V> extends ValueStore<V> {
  constructor(options: MapOptions);
  /** bpf_map_pop_elem into a stack slot: the value, or null when empty. */
  pop(): V | null;
  /** bpf_map_peek_elem. */
  peek(): V | null;
}
/** BPF_MAP_TYPE_STACK (LIFO). */
export declare class Stack<V> extends ValueStore<V> {
  constructor(options: MapOptions);
  pop(): V | null;
  peek(): V | null;
}
/** BPF_MAP_TYPE_BLOOM_FILTER. */
export declare class BloomFilter<V> extends ValueStore<V> {
  constructor(options: MapOptions);
  /** bpf_map_peek_elem: true when `value` may be in the set (false: certainly not). */
  has(value: V): boolean;
}

/** BPF_MAP_TYPE_ARRAY_OF_MAPS. */
export declare class ArrayOfMaps<M extends BpfMap> extends BpfMap {
  constructor(options: MapInMapOptions<M>);
  lookup(index: u32): M | null;
}
/** BPF_MAP_TYPE_HASH_OF_MAPS. */
export declare class HashOfMaps<K, M extends BpfMap> extends BpfMap {
  constructor(options: MapInMapOptions<M>);
  lookup(key: K): M | null;
}
