// Kernel constants the map models need: map type ids (enum bpf_map_type),
// creation and update flags, errno values and ring buffer/perf flags, all as
// in include/uapi/linux/bpf.h and asm-generic/errno*.h.
//
// Flags come from stdlib/generated (the generated kernel-fact tables) where
// it has them; map type ids, errno values and the few flags it lacks live
// here (test/maps/constants.test.ts checks the ids against stdlib/tables/maps.json).

import { CONSTANTS } from "../../stdlib/generated/data/constants.js";

/** A constant from the stdlib's generated table; a missing name is a build-time bug. */
function std(name: string): number {
  const c = CONSTANTS[name];
  if (!c) throw new Error(`stdlib/generated has no constant ${name}`);
  return c.value;
}

/** enum bpf_map_type. */
export const MapType = {
  UNSPEC: 0,
  HASH: 1,
  ARRAY: 2,
  PROG_ARRAY: 3,
  PERF_EVENT_ARRAY: 4,
  PERCPU_HASH: 5,
  PERCPU_ARRAY: 6,
  STACK_TRACE: 7,
  CGROUP_ARRAY: 8,
  LRU_HASH: 9,
  LRU_PERCPU_HASH: 10,
  LPM_TRIE: 11,
  ARRAY_OF_MAPS: 12,
  HASH_OF_MAPS: 13,
  DEVMAP: 14,
  SOCKMAP: 15,
  CPUMAP: 16,
  XSKMAP: 17,
  SOCKHASH: 18,
  CGROUP_STORAGE: 19,
  REUSEPORT_SOCKARRAY: 20,
  PERCPU_CGROUP_STORAGE: 21,
  QUEUE: 22,
  STACK: 23,
  SK_STORAGE: 24,
  DEVMAP_HASH: 25,
  STRUCT_OPS: 26,
  RINGBUF: 27,
  INODE_STORAGE: 28,
  TASK_STORAGE: 29,
  BLOOM_FILTER: 30,
  USER_RINGBUF: 31,
  CGRP_STORAGE: 32,
  ARENA: 33,
} as const;
export type MapTypeName = keyof typeof MapType;

/** The bpftool / libbpf spelling of a map type id ("lru_percpu_hash"). */
export function mapTypeName(type: number): string {
  for (const [name, id] of Object.entries(MapType)) if (id === type) return name.toLowerCase();
  return `unknown(${type})`;
}

// Map creation flags (BPF_F_* for BPF_MAP_CREATE).
export const BPF_F_NO_PREALLOC = std("BPF_F_NO_PREALLOC");
export const BPF_F_NO_COMMON_LRU = std("BPF_F_NO_COMMON_LRU");
export const BPF_F_NUMA_NODE = std("BPF_F_NUMA_NODE");
export const BPF_F_RDONLY = std("BPF_F_RDONLY");
export const BPF_F_WRONLY = std("BPF_F_WRONLY");
export const BPF_F_STACK_BUILD_ID = 1 << 5;
export const BPF_F_ZERO_SEED = std("BPF_F_ZERO_SEED");
export const BPF_F_RDONLY_PROG = std("BPF_F_RDONLY_PROG");
export const BPF_F_WRONLY_PROG = std("BPF_F_WRONLY_PROG");
export const BPF_F_CLONE = 1 << 9;
export const BPF_F_MMAPABLE = std("BPF_F_MMAPABLE");
export const BPF_F_PRESERVE_ELEMS = 1 << 11;
export const BPF_F_INNER_MAP = std("BPF_F_INNER_MAP");
export const BPF_F_ACCESS_MASK =
  BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

// Element update flags (bpf_map_update_elem / bpf_map_push_elem).
export const BPF_ANY = std("BPF_ANY");
export const BPF_NOEXIST = std("BPF_NOEXIST");
export const BPF_EXIST = std("BPF_EXIST");
export const BPF_F_LOCK = std("BPF_F_LOCK");

// Ring buffer flags and bpf_ringbuf_query() selectors.
export const BPF_RB_NO_WAKEUP = std("BPF_RB_NO_WAKEUP");
export const BPF_RB_FORCE_WAKEUP = std("BPF_RB_FORCE_WAKEUP");
export const BPF_RB_AVAIL_DATA = std("BPF_RB_AVAIL_DATA");
export const BPF_RB_RING_SIZE = std("BPF_RB_RING_SIZE");
export const BPF_RB_CONS_POS = std("BPF_RB_CONS_POS");
export const BPF_RB_PROD_POS = std("BPF_RB_PROD_POS");
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

// bpf_perf_event_output() flags.
export const BPF_F_INDEX_MASK = BigInt(std("BPF_F_INDEX_MASK"));
export const BPF_F_CURRENT_CPU = BigInt(std("BPF_F_CURRENT_CPU"));
export const BPF_F_CTXLEN_MASK = BigInt(std("BPF_F_CTXLEN_MASK"));

/** Kernel errno values; helpers return them negated. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  /** Kernel-internal ENOTSUPP (not EOPNOTSUPP); user space sees 524. */
  ENOTSUPP: 524,
} as const;
export type ErrnoName = keyof typeof Errno;

/** The name of a (positive or negative) errno, for messages: errnoName(-17) === "EEXIST". */
export function errnoName(code: number): string {
  const n = Math.abs(code);
  for (const [name, v] of Object.entries(Errno)) if (v === n) return name;
  return String(code);
}

/** PAGE_SIZE on the kernels we compare with (x86_64, arm64 4K). */
export const PAGE_SIZE = 4096;
/** PCPU_MIN_UNIT_SIZE: the largest per-CPU value (rounded up to 8). */
export const PCPU_MIN_UNIT_SIZE = 32768;
/** KMALLOC_MAX_SIZE on x86_64 (1 << (MAX_PAGE_ORDER + PAGE_SHIFT)) = 4 MiB. */
export const KMALLOC_MAX_SIZE = 1 << 22;
