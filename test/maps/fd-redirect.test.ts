// Unit tests: program/perf event arrays, map-in-map, redirect maps, creation errors.

import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_F_BROADCAST,
  BPF_NOEXIST,
  createEnv,
  createMap,
  Errno,
  MapCreateError,
  XDP_REDIRECT,
  type ArrayOfMapsMap,
  type CpuMap,
  type DevMap,
  type HashOfMapsMap,
  type PerfEventArrayMap,
  type ProgArrayMap,
  type XskMap,
} from "../../runtime/maps/index.js";

const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);

describe("fd arrays", () => {
  it("program array: tail call targets set from user space only", () => {
    const p = createMap({
      type: "prog_array",
      keySize: 4,
      valueSize: 4,
      maxEntries: 2,
    }) as ProgArrayMap;
    expect(p.set(u32(0), u32(42))).toBe(0);
    expect(p.set(u32(2), u32(42))).toBe(-Errno.E2BIG);
    expect(p.set(u32(1), u32(42), BPF_NOEXIST)).toBe(-Errno.EINVAL);
    expect(p.update(u32(1), u32(42), BPF_ANY)).toBe(-Errno.EINVAL);
    expect(p.tailCallTarget(0)).toBe(42);
    expect(p.tailCallTarget(1)).toBeUndefined();
    expect(p.delete(u32(1))).toBe(-Errno.ENOENT);
    expect(p.delete(u32(0))).toBe(0);
  });

  it("perf event array: records per CPU; index checks", () => {
    const env = createEnv({ cpus: 2 });
    const m = createMap(
      { type: "perf_event_array", keySize: 4, valueSize: 4, maxEntries: 4 },
      env,
    ) as PerfEventArrayMap;
    env.cpus.current = 1;
    expect(m.output(0xffffffffn, Uint8Array.of(1))).toBe(0);
    expect(m.output(1n, Uint8Array.of(2))).toBe(0);
    expect(m.output(0n, Uint8Array.of(3))).toBe(-Errno.EOPNOTSUPP);
    expect(m.output(2n, Uint8Array.of(3))).toBe(-Errno.ENOENT);
    expect(m.output(9n, Uint8Array.of(3))).toBe(-Errno.E2BIG);
    expect(m.output(1n << 60n, Uint8Array.of(3))).toBe(-Errno.EINVAL);
    expect(m.drain()).toEqual([
      { cpu: 1, data: Uint8Array.of(1) },
      { cpu: 1, data: Uint8Array.of(2) },
    ]);
  });

  it("array and hash of maps: inner maps by id, compatible with the template", () => {
    const env = createEnv();
    const inner = createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 4 }, env);
    const wrong = createMap({ type: "hash", keySize: 4, valueSize: 8, maxEntries: 4 }, env);
    const a = createMap(
      { type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner },
      env,
    ) as ArrayOfMapsMap;
    expect(a.set(u32(0), u32(inner.id))).toBe(0);
    expect(a.set(u32(1), u32(wrong.id))).toBe(-Errno.EINVAL);
    expect(a.set(u32(1), u32(999))).toBe(-9);
    expect(a.lookupMap(u32(0))).toBe(inner);
    expect(a.get(u32(0))).toEqual(u32(inner.id));
    const h = createMap(
      {
        type: "hash_of_maps",
        keySize: 4,
        valueSize: 4,
        maxEntries: 2,
        innerMap: { type: "hash", keySize: 4, valueSize: 4, maxEntries: 4 },
      },
      env,
    ) as HashOfMapsMap;
    expect(h.set(u32(7), u32(inner.id))).toBe(0);
    expect(h.set(u32(7), u32(inner.id), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(h.lookupMap(u32(7))).toBe(inner);
  });
});

describe("redirect maps", () => {
  it("devmap: ifindex values, redirect target or the fallback action", () => {
    const env = createEnv({ ifindexes: new Set([1, 2]) });
    const d = createMap({ type: "devmap", keySize: 4, valueSize: 8, maxEntries: 4 }, env) as DevMap;
    expect(d.set(u32(0), Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0))).toBe(0);
    expect(d.set(u32(1), Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0))).toBe(-Errno.EINVAL);
    expect(d.set(u32(1), Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0), BPF_NOEXIST)).toBe(-Errno.EEXIST);
    expect(d.redirect(0, 0n)).toEqual({
      action: XDP_REDIRECT,
      target: { mapType: 14, mapName: "", key: 0, ifindex: 2 },
    });
    expect(d.redirect(3, 2n)).toEqual({ action: 2 }); // XDP_PASS on a miss
    expect(d.redirect(3, 1n << 5n)).toEqual({ action: 0 }); // unknown flag: XDP_ABORTED
    expect(d.redirect(3, BPF_F_BROADCAST).action).toBe(XDP_REDIRECT);
    expect(d.delete(u32(9))).toBe(-Errno.EINVAL);
  });

  it("cpumap and xskmap", () => {
    const env = createEnv({ cpus: 2 });
    const c = createMap({ type: "cpumap", keySize: 4, valueSize: 4, maxEntries: 4 }, env) as CpuMap;
    expect(c.set(u32(1), u32(256))).toBe(0);
    expect(c.set(u32(2), u32(256))).toBe(-Errno.ENODEV);
    expect(c.set(u32(0), u32(20000))).toBe(-Errno.EOVERFLOW);
    expect(c.redirect(1, 0n).target?.cpu).toBe(1);
    const x = createMap({ type: "xskmap", keySize: 4, valueSize: 4, maxEntries: 2 }, env) as XskMap;
    expect(x.set(u32(0), u32(5), BPF_EXIST)).toBe(-Errno.ENOENT);
    expect(x.set(u32(0), u32(5))).toBe(0);
    expect(x.redirect(0, 0n).target?.socket).toBe(5);
  });
});

describe("creation", () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof MapCreateError) return [e.errno, e.message] as const;
      throw e;
    }
    return [0, ""] as const;
  };
  it("refuses what the kernel refuses, saying why", () => {
    expect(
      err(() => createMap({ type: "array", keySize: 8, valueSize: 4, maxEntries: 1 }))[0],
    ).toBe(Errno.EINVAL);
    const [e, msg] = err(() =>
      createMap({ type: "lpm_trie", keySize: 8, valueSize: 4, maxEntries: 1 }),
    );
    expect([e, msg]).toEqual([Errno.EINVAL, "lpm_trie: BPF_F_NO_PREALLOC is required"]);
    expect(
      err(() => createMap({ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 5000 }))[0],
    ).toBe(Errno.EINVAL);
    expect(
      err(() =>
        createMap({ type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 4, flags: 1 }),
      )[0],
    ).toBe(Errno.ENOTSUPP);
    expect(
      err(() =>
        createMap({ type: "hash", keySize: 4, valueSize: 4, maxEntries: 4, mapExtra: 3 }),
      )[0],
    ).toBe(Errno.EINVAL);
    expect(
      err(() => createMap({ type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 4 }))[0],
    ).toBe(9);
    expect(err(() => createMap({ type: "nope", keySize: 4, valueSize: 4, maxEntries: 4 }))[0]).toBe(
      Errno.EINVAL,
    );
  });
});
