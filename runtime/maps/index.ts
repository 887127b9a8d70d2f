// The runtime's BPF maps: pure data structures with the kernel's semantics,
// independent of the interpreter. createMap() builds any supported type from
// a definition; the classes are exported for the VM's type-specific helpers
// (ring buffer, perf output, redirects, tail calls, map-in-map).

export * from "./constants.js";
export * from "./types.js";
export { copyValue, type ValueFields } from "./value-fields.js";
export { createMap, mapTypeId } from "./create.js";
export { jhash, jhash2, htabHash } from "./jhash.js";
export { HashMap } from "./hash.js";
export { ArrayMap } from "./array.js";
export { PercpuArrayMap, PercpuHashMap, PerCpuValue, type PerCpuMap } from "./percpu.js";
export { LruHashMap, LruPercpuHashMap } from "./lru-hash.js";
export { LpmTrieMap } from "./lpm-trie.js";
export { CgrpStorageMap } from "./cgrp-storage.js";
export { QueueStackMap } from "./queue-stack.js";
export { BloomFilterMap } from "./bloom.js";
export { RingBufMap } from "./ringbuf.js";
export { UserRingBufMap, MAX_USER_RINGBUF_SAMPLES } from "./user-ringbuf.js";
export {
  ArrayOfMapsMap,
  CgroupArrayMap,
  PerfEventArrayMap,
  ProgArrayMap,
  type PerfRecord,
} from "./fd-array.js";
export { HashOfMapsMap, metaEqual } from "./inner-map.js";
export {
  CpuMap,
  DevMap,
  DevMapHash,
  XskMap,
  XDP_ABORTED,
  XDP_REDIRECT,
  BPF_F_BROADCAST,
  BPF_F_EXCLUDE_INGRESS,
  type RedirectResult,
  type RedirectTarget,
} from "./redirect.js";
