// Unit tests: LRU hash maps. The simple cases match the kernel (see
// kernel-diff.test.ts); the reference-bit cases follow bpf_lru_list.c.

import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_NOEXIST,
  createEnv,
  createMap,
  Errno,
  type PerCpuMap,
} from "../../runtime/maps/index.js";

const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
const keysOf = (m: ReturnType<typeof createMap>) => [...m.entries()].map(([k]) => k[0]).sort();

describe("LRU hash", () => {
  // Two CPUs: each CPU takes (4 / 2) / 2 = 1 free node at a time, so one eviction per insert.
  const two = () => createEnv({ cpus: 2 });

  it("inserting into a full map succeeds and evicts the least recently inserted", () => {
    const m = createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 4 }, two());
    for (let i = 1; i <= 4; i++) expect(m.update(u32(i), u32(i), BPF_ANY)).toBe(0);
    expect(m.update(u32(5), u32(5), BPF_ANY)).toBe(0);
    expect(keysOf(m)).toEqual([2, 3, 4, 5]);
  });

  it("evicts in batches of target_free = clamp(max / cpus / 2, 1, 128), like the kernel", () => {
    const m = createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 8 });
    for (let i = 1; i <= 8; i++) m.update(u32(i), u32(i), BPF_ANY);
    m.update(u32(9), u32(9), BPF_ANY); // one CPU: 4 nodes freed at once
    expect(keysOf(m)).toEqual([5, 6, 7, 8, 9]);
  });

  it("a program's lookup protects an element from the next eviction", () => {
    const m = createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 4 }, two());
    for (let i = 1; i <= 4; i++) m.update(u32(i), u32(i), BPF_ANY);
    expect(m.lookup(u32(1))).toEqual(u32(1)); // sets the reference bit
    m.update(u32(5), u32(5), BPF_ANY);
    expect(keysOf(m)).toEqual([1, 3, 4, 5]);
    expect(m.get(u32(3))).toEqual(u32(3)); // user-space lookups do not protect
    m.update(u32(6), u32(6), BPF_ANY);
    expect(keysOf(m)).toEqual([1, 4, 5, 6]);
  });

  it("a refused update on a full map still evicts (the node is taken first, as in the kernel)", () => {
    const m = createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 2 });
    m.update(u32(1), u32(1), BPF_ANY);
    m.update(u32(2), u32(2), BPF_ANY);
    expect(m.update(u32(2), u32(9), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(keysOf(m)).toEqual([2]);
  });

  it("delete frees the slot for reuse without eviction", () => {
    const m = createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 2 });
    m.update(u32(1), u32(1), BPF_ANY);
    m.update(u32(2), u32(2), BPF_ANY);
    expect(m.delete(u32(1))).toBe(0);
    expect(m.delete(u32(1))).toBe(-Errno.ENOENT);
    m.update(u32(3), u32(3), BPF_ANY);
    expect(keysOf(m)).toEqual([2, 3]);
  });

  it("LRU per-CPU hash: values per CPU, eviction when full; NO_COMMON_LRU rounds max_entries", () => {
    const env = createEnv({ cpus: 2 });
    const m = createMap({ type: "lru_percpu_hash", keySize: 4, valueSize: 4, maxEntries: 2 }, env);
    env.cpus.current = 1;
    m.update(u32(1), u32(7), BPF_ANY);
    expect((m as typeof m & PerCpuMap).getPerCpu(u32(1))).toEqual([u32(0), u32(7)]);
    m.update(u32(2), u32(8), BPF_ANY);
    m.update(u32(3), u32(9), BPF_ANY);
    expect(keysOf(m).length).toBe(2);
    const n = createMap(
      { type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 5, flags: 2 },
      env,
    );
    expect(n.maxEntries).toBe(6);
  });
});
