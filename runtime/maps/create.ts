// Creating a map from a definition (as an ELF reader gives it) with the
// checks BPF_MAP_CREATE makes: each type's *_map_alloc_check / *_map_alloc
// rules on sizes and flags, with the kernel's errno, thrown as a
// MapCreateError whose message says what is wrong.

import {
  BPF_F_ACCESS_MASK,
  BPF_F_CLONE,
  BPF_F_INNER_MAP,
  BPF_F_MMAPABLE,
  BPF_F_NO_COMMON_LRU,
  BPF_F_NO_PREALLOC,
  BPF_F_NUMA_NODE,
  BPF_F_PRESERVE_ELEMS,
  BPF_F_RDONLY,
  BPF_F_RDONLY_PROG,
  BPF_F_STACK_BUILD_ID,
  BPF_F_WRONLY,
  BPF_F_WRONLY_PROG,
  BPF_F_ZERO_SEED,
  Errno,
  KMALLOC_MAX_SIZE,
  MapType,
  PAGE_SIZE,
  PCPU_MIN_UNIT_SIZE,
  mapTypeName,
} from "./constants.js";
import { ArrayMap } from "./array.js";
import { BloomFilterMap } from "./bloom.js";
import { CgrpStorageMap, LOCAL_STORAGE_MAX_VALUE_SIZE } from "./cgrp-storage.js";
import { ArrayOfMapsMap, CgroupArrayMap, PerfEventArrayMap, ProgArrayMap } from "./fd-array.js";
import { HashMap, type MapInit } from "./hash.js";
import { HashOfMapsMap } from "./inner-map.js";
import { LpmTrieMap } from "./lpm-trie.js";
import { LruHashMap, LruPercpuHashMap } from "./lru-hash.js";
import { PercpuArrayMap, PercpuHashMap } from "./percpu.js";
import { QueueStackMap } from "./queue-stack.js";
import { CpuMap, DevMap, DevMapHash, XskMap } from "./redirect.js";
import { RingBufMap } from "./ringbuf.js";
import { UserRingBufMap } from "./user-ringbuf.js";
import { MapCreateError, createEnv, type BpfMap, type MapDef, type MapEnv } from "./types.js";

const T = MapType;
const HTAB_FLAGS =
  BPF_F_NO_PREALLOC | BPF_F_NO_COMMON_LRU | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK | BPF_F_ZERO_SEED;
const ARRAY_FLAGS =
  BPF_F_NUMA_NODE | BPF_F_MMAPABLE | BPF_F_ACCESS_MASK | BPF_F_PRESERVE_ELEMS | BPF_F_INNER_MAP;
const DEV_FLAGS = BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY;
/** Map types allocated whole at creation (one slot per entry). */
const PREALLOCATED = new Set<number>([
  T.ARRAY,
  T.PERCPU_ARRAY,
  T.PROG_ARRAY,
  T.PERF_EVENT_ARRAY,
  T.ARRAY_OF_MAPS,
  T.DEVMAP,
  T.CPUMAP,
  T.XSKMAP,
]);
const MAX_PREALLOC_BYTES = 256 * 1024 * 1024;

/** Resolves "lru_hash" / "LRU_HASH" / 9 to the type id. */
export function mapTypeId(type: number | string): number {
  if (typeof type === "number") return type;
  const id = (MapType as Record<string, number>)[type.toUpperCase()];
  if (id === undefined) throw new MapCreateError(Errno.EINVAL, `unknown map type "${type}"`);
  return id;
}

function fail(errno: number, what: string): never {
  throw new MapCreateError(errno, what);
}

/** bpf_map_flags_access_ok: a program cannot be both read-only and write-only. */
function accessOk(flags: number): boolean {
  return (
    (flags & (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)) !== (BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG)
  );
}

/** Creates the map `def` describes in `env` (a fresh one-CPU environment by default). */
export function createMap(def: MapDef, env: MapEnv = createEnv()): BpfMap {
  const type = mapTypeId(def.type);
  const flags = def.flags ?? 0;
  const mapExtra = BigInt(def.mapExtra ?? 0);
  const { keySize: k, valueSize: v, maxEntries: max } = def;
  const tn = mapTypeName(type);
  const init: MapInit = {
    type,
    keySize: k,
    valueSize: v,
    maxEntries: max,
    flags,
    mapExtra,
    name: def.name ?? "",
  };
  const bad = (why: string): never => fail(Errno.EINVAL, `${tn}: ${why}`);
  const flagsIn = (mask: number) => {
    if (flags & ~mask)
      bad(`flags 0x${flags.toString(16)} not allowed (allowed 0x${mask.toString(16)})`);
    if (!accessOk(flags)) bad("BPF_F_RDONLY_PROG together with BPF_F_WRONLY_PROG");
  };
  if (![k, v, max].every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff))
    bad("key size, value size and max entries must be u32");
  if (mapExtra !== 0n && type !== T.BLOOM_FILTER && type !== T.ARENA)
    bad("map_extra is only for bloom filters and arenas");
  if (flags & BPF_F_NUMA_NODE) bad("BPF_F_NUMA_NODE needs a NUMA node, which this runtime lacks");
  if (PREALLOCATED.has(type) && max * Math.max(8, Math.ceil(v / 8) * 8) > MAX_PREALLOC_BYTES) {
    // These maps are allocated whole at creation, in the kernel and here; a
    // damaged or hostile max_entries must end in ENOMEM, not exhaust the heap.
    fail(
      Errno.ENOMEM,
      `${tn}: ${max} entries of ${v} bytes exceed the runtime's ${MAX_PREALLOC_BYTES >> 20} MiB limit`,
    );
  }

  switch (type) {
    case T.HASH:
    case T.PERCPU_HASH:
    case T.LRU_HASH:
    case T.LRU_PERCPU_HASH:
    case T.HASH_OF_MAPS: {
      const percpu = type === T.PERCPU_HASH || type === T.LRU_PERCPU_HASH;
      const lru = type === T.LRU_HASH || type === T.LRU_PERCPU_HASH;
      flagsIn(HTAB_FLAGS);
      if (!lru && flags & BPF_F_NO_COMMON_LRU) bad("BPF_F_NO_COMMON_LRU is only for LRU maps");
      if (lru && flags & BPF_F_NO_PREALLOC)
        fail(Errno.ENOTSUPP, `${tn}: LRU maps are always preallocated (no BPF_F_NO_PREALLOC)`);
      if (max === 0 || k === 0 || v === 0) bad("key size, value size and max entries must be > 0");
      if (k + v >= KMALLOC_MAX_SIZE - 48) fail(Errno.E2BIG, `${tn}: key + value too large`);
      if (percpu && Math.ceil(v / 8) * 8 > PCPU_MIN_UNIT_SIZE)
        fail(Errno.E2BIG, `${tn}: per-CPU value over ${PCPU_MIN_UNIT_SIZE} bytes`);
      if (max > 2 ** 31) fail(Errno.E2BIG, `${tn}: max entries over 2^31`);
      if (lru && flags & BPF_F_NO_COMMON_LRU) {
        // Each CPU's list gets the same number of elements: max_entries is rounded.
        const n = env.cpus.count;
        init.maxEntries = Math.ceil(max / n) * n;
        if (init.maxEntries > 0xffffffff) init.maxEntries = Math.floor(max / n) * n;
      }
      if (type === T.HASH_OF_MAPS) {
        if (v !== 4) bad("value size must be 4 (a map fd)");
        return new HashOfMapsMap(env, init, innerTemplate(def, env, tn));
      }
      if (type === T.HASH) return new HashMap(env, init);
      if (type === T.PERCPU_HASH) return new PercpuHashMap(env, init);
      if (type === T.LRU_HASH) return new LruHashMap(env, init);
      return new LruPercpuHashMap(env, init);
    }
    case T.ARRAY:
    case T.PERCPU_ARRAY:
    case T.PROG_ARRAY:
    case T.PERF_EVENT_ARRAY:
    case T.CGROUP_ARRAY:
    case T.ARRAY_OF_MAPS: {
      const percpu = type === T.PERCPU_ARRAY;
      flagsIn(ARRAY_FLAGS);
      if (max === 0 || k !== 4 || v === 0)
        bad("key size must be 4, value size and max entries > 0");
      if (percpu && flags & BPF_F_MMAPABLE) bad("per-CPU arrays cannot be mmapable");
      if (flags & BPF_F_PRESERVE_ELEMS && type !== T.PERF_EVENT_ARRAY)
        bad("BPF_F_PRESERVE_ELEMS is only for perf event arrays");
      if (v > KMALLOC_MAX_SIZE) fail(Errno.E2BIG, `${tn}: value size too large`);
      if (percpu && Math.ceil(v / 8) * 8 > PCPU_MIN_UNIT_SIZE)
        fail(Errno.E2BIG, `${tn}: per-CPU value over ${PCPU_MIN_UNIT_SIZE} bytes`);
      if (type === T.ARRAY) return new ArrayMap(env, init);
      if (type === T.PERCPU_ARRAY) return new PercpuArrayMap(env, init);
      // fd arrays hold a 4-byte fd.
      if (v !== 4) bad("value size must be 4 (an fd)");
      if (type === T.PROG_ARRAY) return new ProgArrayMap(env, init);
      if (type === T.PERF_EVENT_ARRAY) return new PerfEventArrayMap(env, init);
      if (type === T.CGROUP_ARRAY) return new CgroupArrayMap(env, init);
      return new ArrayOfMapsMap(env, init, innerTemplate(def, env, tn));
    }
    case T.LPM_TRIE:
      if (max === 0) bad("max entries must be > 0");
      if (!(flags & BPF_F_NO_PREALLOC)) bad("BPF_F_NO_PREALLOC is required");
      flagsIn(BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK);
      if (k < 5 || k > 4 + 256) bad("key size must be 5..260 (u32 prefixlen + 1..256 data bytes)");
      if (v < 1 || v > KMALLOC_MAX_SIZE - 256 - 40) bad("value size out of range");
      return new LpmTrieMap(env, init);
    case T.QUEUE:
    case T.STACK:
      if (max === 0 || k !== 0 || v === 0)
        bad("key size must be 0, value size and max entries > 0");
      flagsIn(BPF_F_NUMA_NODE | BPF_F_ACCESS_MASK);
      if (v > KMALLOC_MAX_SIZE) fail(Errno.E2BIG, `${tn}: value size too large`);
      return new QueueStackMap(env, init);
    case T.BLOOM_FILTER:
      if (v > KMALLOC_MAX_SIZE) fail(Errno.E2BIG, `${tn}: value size too large`);
      if (k !== 0 || v === 0 || max === 0)
        bad("key size must be 0, value size and max entries > 0");
      flagsIn(BPF_F_NUMA_NODE | BPF_F_ZERO_SEED | BPF_F_ACCESS_MASK);
      if (mapExtra & ~0xfn) bad("map_extra holds the number of hash functions (0..15)");
      return new BloomFilterMap(env, init);
    case T.RINGBUF:
    case T.USER_RINGBUF:
      flagsIn(BPF_F_NUMA_NODE);
      if (k !== 0 || v !== 0) bad("key and value size must be 0");
      if (max === 0 || max & (max - 1) || max % PAGE_SIZE)
        bad(`max entries (the size) must be a power of 2 and a multiple of ${PAGE_SIZE}`);
      return type === T.RINGBUF ? new RingBufMap(env, init) : new UserRingBufMap(env, init);
    case T.DEVMAP:
    case T.DEVMAP_HASH:
      if (max === 0 || k !== 4 || (v !== 4 && v !== 8))
        bad("key size must be 4, value size 4 or 8 (struct bpf_devmap_val)");
      flagsIn(DEV_FLAGS);
      return type === T.DEVMAP ? new DevMap(env, init) : new DevMapHash(env, init);
    case T.CPUMAP:
      if (max === 0 || k !== 4 || (v !== 4 && v !== 8))
        bad("key size must be 4, value size 4 or 8 (struct bpf_cpumap_val)");
      flagsIn(BPF_F_NUMA_NODE);
      if (max > 8192) fail(Errno.E2BIG, `${tn}: max entries over NR_CPUS (8192)`);
      return new CpuMap(env, init);
    case T.XSKMAP:
      if (max === 0 || k !== 4 || v !== 4) bad("key and value size must be 4");
      flagsIn(DEV_FLAGS);
      return new XskMap(env, init);
    case T.STACK_TRACE:
      if (flags & BPF_F_STACK_BUILD_ID) bad("stack traces have no meaning outside a kernel");
      return fail(Errno.EOPNOTSUPP, `${tn}: not modelled by this runtime`);
    case T.CGRP_STORAGE:
      // bpf_local_storage_map_alloc_check.
      flagsIn(BPF_F_NO_PREALLOC | BPF_F_CLONE);
      if (!(flags & BPF_F_NO_PREALLOC)) bad("BPF_F_NO_PREALLOC is required");
      if (max !== 0) bad("max entries must be 0");
      if (k !== 4) bad("key size must be 4 (a cgroup fd)");
      if (v === 0) bad("value size must be > 0");
      if (v > LOCAL_STORAGE_MAX_VALUE_SIZE)
        fail(Errno.E2BIG, `${tn}: value size over ${LOCAL_STORAGE_MAX_VALUE_SIZE}`);
      return new CgrpStorageMap(env, init);
    default:
      return fail(Errno.EINVAL, `${tn}: map type not supported by this runtime`);
  }
}

// The inner map of a map-in-map: an existing map, or a definition to create
// (the kernel creates nothing; the template only fixes the shape).
function innerTemplate(def: MapDef, env: MapEnv, tn: string): BpfMap {
  const inner = def.innerMap;
  if (!inner) return fail(9 /* EBADF: inner_map_fd missing */, `${tn}: needs an inner map`);
  if ("lookup" in inner) return inner;
  const t = mapTypeId(inner.type);
  if (t === T.ARRAY_OF_MAPS || t === T.HASH_OF_MAPS || t === T.PROG_ARRAY)
    fail(Errno.EINVAL, `${tn}: inner map cannot be a ${mapTypeName(t)}`);
  return createMap(inner, env);
}
