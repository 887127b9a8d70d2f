// Kernel constants the map models need: map type ids (enum bpf_map_type),
// creation and update flags, errno values and ring buffer/perf flags, all as
// in include/uapi/linux/bpf.h and asm-generic/errno*.h.
//
// TODO(stdlib): switch to stdlib/generated once the helper "stdlib" commits
// its generated tables; until then this is the single place these live.

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
export const BPF_F_NO_PREALLOC = 1 << 0;
export const BPF_F_NO_COMMON_LRU = 1 << 1;
export const BPF_F_NUMA_NODE = 1 << 2;
export const BPF_F_RDONLY = 1 << 3;
export const BPF_F_WRONLY = 1 << 4;
export const BPF_F_STACK_BUILD_ID = 1 << 5;
export const BPF_F_ZERO_SEED = 1 << 6;
export const BPF_F_RDONLY_PROG = 1 << 7;
export const BPF_F_WRONLY_PROG = 1 << 8;
export const BPF_F_CLONE = 1 << 9;
export const BPF_F_MMAPABLE = 1 << 10;
export const BPF_F_PRESERVE_ELEMS = 1 << 11;
export const BPF_F_INNER_MAP = 1 << 12;
export const BPF_F_ACCESS_MASK =
  BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

// Element update flags (bpf_map_update_elem / bpf_map_push_elem).
export const BPF_ANY = 0;
export const BPF_NOEXIST = 1;
export const BPF_EXIST = 2;
export const BPF_F_LOCK = 4;

// Ring buffer flags and bpf_ringbuf_query() selectors.
export const BPF_RB_NO_WAKEUP = 1;
export const BPF_RB_FORCE_WAKEUP = 2;
export const BPF_RB_AVAIL_DATA = 0;
export const BPF_RB_RING_SIZE = 1;
export const BPF_RB_CONS_POS = 2;
export const BPF_RB_PROD_POS = 3;
export const BPF_RINGBUF_BUSY_BIT = 0x80000000;
export const BPF_RINGBUF_DISCARD_BIT = 0x40000000;
export const BPF_RINGBUF_HDR_SZ = 8;

// bpf_perf_event_output() flags.
export const BPF_F_INDEX_MASK = 0xffffffffn;
export const BPF_F_CURRENT_CPU = 0xffffffffn;
export const BPF_F_CTXLEN_MASK = 0xfffffn << 32n;

/** Kernel errno values; helpers return them negated. */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  E2BIG: 7,
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
