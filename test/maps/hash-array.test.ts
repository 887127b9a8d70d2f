// Unit tests: hash, array and per-CPU maps (helper and syscall semantics).

import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  createEnv,
  createMap,
  Errno,
  type PercpuArrayMap,
  type PercpuHashMap,
} from "../../runtime/maps/index.js";

const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
const u64 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, 0, 0, 0, 0, 0, 0);

describe("hash map", () => {
  const mk = () => createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 2 });

  it("NOEXIST / EXIST / ANY and a full map", () => {
    const m = mk();
    expect(m.update(u32(1), u64(10), BPF_EXIST)).toBe(-Errno.ENOENT);
    expect(m.update(u32(1), u64(10), BPF_NOEXIST)).toBe(0);
    expect(m.update(u32(1), u64(11), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(u32(1), u64(12), BPF_EXIST)).toBe(0);
    expect(m.update(u32(2), u64(20), BPF_ANY)).toBe(0);
    expect(m.update(u32(3), u64(30), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(m.update(u32(2), u64(21), BPF_ANY)).toBe(0); // replacing works when full
    expect(m.update(u32(2), u64(21), 3)).toBe(-Errno.EINVAL);
    expect(m.get(u32(1))).toEqual(u64(12));
    expect(m.delete(u32(1))).toBe(0);
    expect(m.delete(u32(1))).toBe(-Errno.ENOENT);
    expect(m.lookup(u32(1))).toBeUndefined();
  });

  it("lookup gives a live view that stays the same object while the element lives", () => {
    const m = mk();
    m.update(u32(1), u64(1), BPF_ANY);
    const v = m.lookup(u32(1))!;
    v[0] = 99; // a program's store through the pointer
    expect(m.lookup(u32(1))).toBe(v);
    expect(m.get(u32(1))![0]).toBe(99);
    // An update swaps in a new element (the kernel's extra element): the old view keeps old bytes.
    m.update(u32(1), u64(5), BPF_ANY);
    expect(v[0]).toBe(99);
    expect(m.lookup(u32(1))![0]).toBe(5);
  });

  it("recycles preallocated elements in the kernel's order; BPF_F_NO_PREALLOC does not", () => {
    const m = mk(); // one CPU: one spare element
    m.update(u32(1), u64(1), BPF_ANY);
    const v = m.lookup(u32(1))!;
    m.update(u32(1), u64(2), BPF_ANY); // v becomes the spare
    m.update(u32(1), u64(3), BPF_ANY); // ... and the spare holds key 1 again
    expect(m.lookup(u32(1))).toBe(v);
    expect(v[0]).toBe(3);
    // A deleted element is on top of the CPU's freelist: the next insert takes it.
    expect(m.delete(u32(1))).toBe(0);
    m.update(u32(7), u64(8), BPF_ANY);
    expect(m.lookup(u32(7))).toBe(v);
    v[0] = 42; // a stale pointer's store lands in key 7's value
    expect(m.get(u32(7))![0]).toBe(42);

    const np = createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 2, flags: 1 });
    np.update(u32(1), u64(1), BPF_ANY);
    const w = np.lookup(u32(1))!;
    np.update(u32(1), u64(2), BPF_ANY);
    np.update(u32(1), u64(3), BPF_ANY);
    expect(np.lookup(u32(1))).not.toBe(w);
    expect(np.update(u32(2), u64(2), BPF_ANY)).toBe(0);
    expect(np.update(u32(3), u64(2), BPF_ANY)).toBe(-Errno.E2BIG);
  });

  it("iterates every key once; a missing key restarts from the first", () => {
    const m = createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 16 });
    for (let i = 0; i < 16; i++) m.update(u32(i), u32(i * 2), BPF_ANY);
    const keys = [...m.entries()].map(([k]) => k[0]);
    expect(keys.sort((a, b) => a! - b!)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(m.nextKey(u32(1000))).toEqual(m.nextKey(undefined));
  });
});

describe("array map", () => {
  it("zero-filled, fixed, delete -EINVAL, NOEXIST -EEXIST, out of range -E2BIG", () => {
    const m = createMap({ type: "array", keySize: 4, valueSize: 6, maxEntries: 3 });
    expect(m.lookup(u32(2))).toEqual(new Uint8Array(6));
    expect(m.lookup(u32(3))).toBeUndefined();
    expect(m.update(u32(0), Uint8Array.of(1, 2, 3, 4, 5, 6), BPF_ANY)).toBe(0);
    expect(m.update(u32(0), new Uint8Array(6), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(m.update(u32(3), new Uint8Array(6), BPF_ANY)).toBe(-Errno.E2BIG);
    expect(m.delete(u32(0))).toBe(-Errno.EINVAL);
    const v = m.lookup(u32(0));
    m.update(u32(0), Uint8Array.of(9, 9, 9, 9, 9, 9), BPF_EXIST);
    expect(m.lookup(u32(0))).toBe(v); // updated in place
    expect(v).toEqual(Uint8Array.of(9, 9, 9, 9, 9, 9));
    expect([...m.entries()].map(([k]) => k[0])).toEqual([0, 1, 2]);
    expect(m.nextKey(u32(2))).toBeUndefined();
    expect(m.nextKey(u32(7))).toEqual(u32(0));
  });
});

describe("per-CPU maps", () => {
  it("a program sees the current CPU's copy; user space sees all, padded to 8", () => {
    const env = createEnv({ cpus: 3 });
    const a = createMap(
      { type: "percpu_array", keySize: 4, valueSize: 4, maxEntries: 2 },
      env,
    ) as PercpuArrayMap;
    env.cpus.current = 1;
    a.update(u32(0), u32(7), BPF_ANY);
    expect(a.lookup(u32(0))).toEqual(u32(7));
    env.cpus.current = 2;
    expect(a.lookup(u32(0))).toEqual(u32(0));
    expect(a.getPerCpu(u32(0))).toEqual([u32(0), u32(7), u32(0)]);
    expect(a.get(u32(0))!.length).toBe(24);
    expect(a.lookupCpu(u32(0), 1)).toEqual(u32(7));
    expect(a.lookupCpu(u32(0), 3)).toBeUndefined();
    // One value from user space goes to every CPU, like bpftool.
    expect(a.set(u32(1), u32(5))).toBe(0);
    expect(a.getPerCpu(u32(1))).toEqual([u32(5), u32(5), u32(5)]);
    expect(a.set(u32(1), new Uint8Array(7))).toBe(-Errno.EINVAL);
  });

  it("per-CPU hash: a program's insert zero-fills the other CPUs; updates stay in place", () => {
    const env = createEnv({ cpus: 2 });
    const h = createMap(
      { type: "percpu_hash", keySize: 4, valueSize: 4, maxEntries: 1 },
      env,
    ) as PercpuHashMap;
    env.cpus.current = 1;
    expect(h.update(u32(1), u32(3), BPF_ANY)).toBe(0);
    expect(h.getPerCpu(u32(1))).toEqual([u32(0), u32(3)]);
    const v = h.lookup(u32(1));
    env.cpus.current = 0;
    expect(h.update(u32(1), u32(4), BPF_EXIST)).toBe(0);
    expect(h.getPerCpu(u32(1))).toEqual([u32(4), u32(3)]);
    env.cpus.current = 1;
    expect(h.lookup(u32(1))).toBe(v);
    expect(h.update(u32(2), u32(4), BPF_ANY)).toBe(-Errno.E2BIG);
  });
});
