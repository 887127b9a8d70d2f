// Differential tests: the same map created in the kernel (bpftool) and in the
// model, the same operations applied to both; every result (0/-errno) and the
// final contents, in the kernel's iteration order, must agree. Kernel-gated:
// prints SKIPPED with the reason where there is no root/bpftool/bpffs.
// Reproduce: sudo npx vitest run test/maps/kernel-diff.test.ts

import { afterAll, describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  createEnv,
  createMap,
  MapCreateError,
  type BloomFilterMap,
  type BpfMap,
  type LpmTrieMap,
  type PerCpuMap,
  type QueueStackMap,
} from "../../runtime/maps/index.js";
import { KernelMap, kernelCpus, kernelUnavailable } from "./kernel.js";

const skip = kernelUnavailable();
if (skip) console.log(`SKIPPED: kernel map differential tests: ${skip}`);

const pins: KernelMap[] = [];
let compared = 0;
afterAll(() => {
  for (const p of pins) p.remove();
  if (!skip) console.log(`kernel-diff: ${compared} results compared with the kernel`);
});

function kmap(...args: Parameters<typeof KernelMap.create>): KernelMap {
  const m = KernelMap.create(...args);
  if (typeof m === "number") throw new Error(`kernel refused ${args.join(" ")}: ${m}`);
  pins.push(m);
  return m;
}

/** A small deterministic PRNG (LCG), so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

function bytes(n: number, size: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (n >> (8 * (i % 4))) & 0xff;
  if (size > 4) b[size - 1] = (n * 7) & 0xff;
  return b;
}

const FLAG_NAME = { [BPF_ANY]: "any", [BPF_EXIST]: "exist", [BPF_NOEXIST]: "noexist" } as const;

function same(a: unknown, b: unknown, what: string) {
  compared++;
  expect(a, what).toEqual(b);
}

/** Model contents in nextKey order, as bpftool dumps them. */
function modelDump(m: BpfMap, percpu = false) {
  return [...m.entries()].map(([key]) =>
    percpu ? { key, values: (m as BpfMap & PerCpuMap).getPerCpu(key) } : { key, value: m.get(key) },
  );
}

/** Random update/delete/lookup sequences on a hash-like map. */
function randomOps(m: BpfMap, k: KernelMap, seed: number, n: number, keys: number, percpu = false) {
  const r = rng(seed);
  for (let i = 0; i < n; i++) {
    const key = bytes(r(keys), m.keySize);
    const op = r(10);
    if (op < 6) {
      const flags = [BPF_ANY, BPF_NOEXIST, BPF_EXIST][r(3)]!;
      const value = bytes(i * 31 + 1, m.valueSize);
      same(
        m.set(key, value, flags),
        k.update(key, value, FLAG_NAME[flags as 0 | 1 | 2]),
        `op ${i} update`,
      );
    } else if (op < 8) {
      same(m.delete(key), k.delete(key), `op ${i} delete`);
    } else {
      const kv = k.lookup(key);
      const mv = percpu ? (m as BpfMap & PerCpuMap).getPerCpu(key) : m.get(key);
      same(mv, percpu ? kv?.values : kv?.value, `op ${i} lookup`);
    }
  }
  same(modelDump(m, percpu), k.dump(), "final contents in iteration order");
}

describe.skipIf(skip !== undefined)("maps against the kernel", () => {
  const cpus = skip ? 1 : kernelCpus();
  const env = () => createEnv({ cpus, ifindexes: new Set([1]) });

  it("hash (BPF_F_ZERO_SEED): results and iteration order", () => {
    for (const [ks, vs, max, seed] of [
      [4, 8, 4, 1],
      [6, 4, 8, 2],
      [16, 4, 5, 3],
    ] as const) {
      const m = createMap(
        { type: "hash", keySize: ks, valueSize: vs, maxEntries: max, flags: 64 },
        env(),
      );
      const k = kmap("hash", ks, vs, max, ["flags", "64"]);
      randomOps(m, k, seed, 60, max + 3);
    }
  });

  it("array: out of range, NOEXIST, delete", () => {
    const m = createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 }, env());
    const k = kmap("array", 4, 8, 4);
    randomOps(m, k, 4, 40, 6);
  });

  it("per-CPU array and per-CPU hash: every CPU's copy", () => {
    const a = createMap({ type: "percpu_array", keySize: 4, valueSize: 12, maxEntries: 3 }, env());
    randomOps(a, kmap("percpu_array", 4, 12, 3), 5, 30, 5, true);
    const h = createMap(
      { type: "percpu_hash", keySize: 4, valueSize: 4, maxEntries: 4, flags: 64 },
      env(),
    );
    randomOps(h, kmap("percpu_hash", 4, 4, 4, ["flags", "64"]), 6, 40, 7, true);
  });

  it("LRU hash: inserting into a full map succeeds and evicts the oldest", () => {
    const m = createMap(
      { type: "lru_hash", keySize: 4, valueSize: 8, maxEntries: 4, flags: 64 },
      env(),
    );
    const k = kmap("lru_hash", 4, 8, 4, ["flags", "64"]);
    for (let i = 1; i <= 6; i++) {
      same(m.set(bytes(i, 4), bytes(i, 8)), k.update(bytes(i, 4), bytes(i, 8)), `insert ${i}`);
      same(modelDump(m), k.dump(), `contents after insert ${i}`);
    }
  });

  it("LRU hash: random sequences (user-space operations on one CPU)", () => {
    for (const [max, seed] of [
      [4, 7],
      [8, 8],
      [16, 9],
    ] as const) {
      const m = createMap(
        { type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: max, flags: 64 },
        env(),
      );
      randomOps(m, kmap("lru_hash", 4, 4, max, ["flags", "64"]), seed, 80, max * 2);
    }
  });

  it("LRU per-CPU hash, common and per-CPU LRU lists", () => {
    const m = createMap(
      { type: "lru_percpu_hash", keySize: 4, valueSize: 8, maxEntries: 4, flags: 64 },
      env(),
    );
    randomOps(m, kmap("lru_percpu_hash", 4, 8, 4, ["flags", "64"]), 10, 50, 8, true);
    const n = createMap(
      { type: "lru_hash", keySize: 4, valueSize: 4, maxEntries: 5, flags: 66 },
      env(),
    );
    const kn = kmap("lru_hash", 4, 4, 5, ["flags", "66"]);
    same(
      n.maxEntries,
      kn.info().maxEntries,
      "BPF_F_NO_COMMON_LRU rounds max_entries to the CPU count",
    );
    randomOps(n, kn, 11, 50, 10);
  });

  it("LPM trie: longest-prefix lookups, exact update/delete, full trie, order", () => {
    const m = createMap(
      { type: "lpm_trie", keySize: 8, valueSize: 4, maxEntries: 6, flags: 1 },
      env(),
    ) as LpmTrieMap;
    const k = kmap("lpm_trie", 8, 4, 6, ["flags", "1"]);
    const key = (len: number, a: number, b: number, c = 0, d = 0) =>
      Uint8Array.of(len, 0, 0, 0, a, b, c, d);
    const prefixes = [
      key(8, 10, 0),
      key(16, 10, 1),
      key(24, 10, 1, 2),
      key(0, 0, 0),
      key(16, 10, 1),
      key(12, 10, 16),
      key(32, 10, 1, 2, 3),
      key(16, 192, 168),
      key(33, 1, 1),
    ];
    prefixes.forEach((p, i) =>
      same(m.set(p, bytes(i + 1, 4)), k.update(p, bytes(i + 1, 4)), `insert ${i}`),
    );
    same(
      m.set(key(16, 10, 1), bytes(99, 4), BPF_NOEXIST),
      k.update(key(16, 10, 1), bytes(99, 4), "noexist"),
      "noexist",
    );
    same(
      m.set(key(16, 10, 9), bytes(99, 4), BPF_EXIST),
      k.update(key(16, 10, 9), bytes(99, 4), "exist"),
      "exist",
    );
    same(
      m.set(key(16, 10, 1), bytes(77, 4)),
      k.update(key(16, 10, 1), bytes(77, 4)),
      "replace in a full trie",
    );
    const probes = [
      key(32, 10, 1, 2, 3),
      key(32, 10, 1, 2, 4),
      key(32, 10, 1, 9, 9),
      key(32, 10, 2, 0, 0),
      key(32, 10, 17, 1, 1),
      key(32, 11, 0, 0, 0),
      key(20, 10, 1, 2, 3),
      key(8, 10, 1),
      key(40, 10, 1),
    ];
    for (const p of probes) same(m.get(p), k.lookup(p)?.value, `lookup ${p.join(".")}`);
    same(modelDump(m), k.dump(), "contents in post-order");
    for (const p of [key(24, 10, 1, 2), key(24, 10, 1, 2), key(8, 10, 0), key(33, 0, 0)])
      same(m.delete(p), k.delete(p), `delete ${p.join(".")}`);
    for (const p of probes)
      same(m.get(p), k.lookup(p)?.value, `lookup after delete ${p.join(".")}`);
    same(modelDump(m), k.dump(), "contents after deletes");
  });

  it("queue and stack: full, BPF_EXIST overwrite, empty pop/peek", () => {
    for (const type of ["queue", "stack"] as const) {
      const m = createMap(
        { type, keySize: 0, valueSize: 4, maxEntries: 3 },
        env(),
      ) as QueueStackMap;
      const k = kmap(type, 0, 4, 3);
      const r = rng(type.length);
      for (let i = 0; i < 40; i++) {
        const op = r(6);
        if (op < 3) {
          const exist = op === 2;
          same(
            m.push(bytes(i, 4), exist ? BPF_EXIST : BPF_ANY),
            k.push(bytes(i, 4), exist ? "exist" : "any"),
            `${type} push ${i}`,
          );
        } else {
          const which = op < 5 ? "pop" : "peek";
          const out = new Uint8Array(4);
          const rc = which === "pop" ? m.pop(out) : m.peek(out);
          same(rc === 0 ? out : rc, k.take(which), `${type} ${which} ${i}`);
        }
      }
    }
  });

  it("bloom filter (BPF_F_ZERO_SEED): the same false positives, jhash2 and jhash paths", () => {
    for (const [vs, max, extra] of [
      [4, 40, 3],
      [6, 30, 0],
      [16, 20, 1],
    ] as const) {
      const m = createMap(
        {
          type: "bloom_filter",
          keySize: 0,
          valueSize: vs,
          maxEntries: max,
          flags: 64,
          mapExtra: extra,
        },
        env(),
      ) as BloomFilterMap;
      const k = KernelMap.createBloom(vs, max, 64, extra);
      pins.push(k);
      const members = Array.from({ length: max }, (_, i) => bytes(i * 7919 + 13, vs));
      for (const v of members) same(m.push(v, BPF_ANY), k.push(v), "push");
      const probes = Array.from({ length: 3000 }, (_, i) => bytes(i * 104729 + 5, vs));
      const kernel = k.peekMany([...members, ...probes]);
      const model = [...members, ...probes].map((v) => m.peek(v));
      compared += model.length;
      expect(model).toEqual(kernel);
      const fp = model.slice(max).filter((x) => x === 0).length;
      console.log(
        `bloom value ${vs}B, ${max} entries, ${m.nrHashFuncs} hashes: ${fp}/3000 false positives, all equal to the kernel's`,
      );
    }
  });

  it("devmap and devmap hash: ifindex values", () => {
    for (const type of ["devmap", "devmap_hash"] as const) {
      const m = createMap({ type, keySize: 4, valueSize: 4, maxEntries: 4 }, env());
      const k = kmap(type, 4, 4, 4);
      const ops: [number, number, number][] = [
        [0, 1, BPF_ANY],
        [1, 999999, BPF_ANY],
        [7, 1, BPF_ANY],
        [0, 1, BPF_NOEXIST],
        [2, 1, BPF_EXIST],
        [3, 0, BPF_ANY],
        [5, 1, BPF_ANY],
        [6, 1, BPF_ANY],
        [8, 1, BPF_ANY],
      ];
      for (const [key, ifindex, flags] of ops)
        same(
          m.set(bytes(key, 4), bytes(ifindex, 4), flags),
          k.update(bytes(key, 4), bytes(ifindex, 4), FLAG_NAME[flags as 0]),
          `${type} update ${key}=${ifindex}`,
        );
      same(m.delete(bytes(2, 4)), k.delete(bytes(2, 4)), `${type} delete`);
      same(m.delete(bytes(9, 4)), k.delete(bytes(9, 4)), `${type} delete out of range`);
      same(modelDump(m), k.dump(), `${type} contents`);
    }
  });

  it("array of maps: compatible inner maps only", () => {
    const e = env();
    const inner = createMap({ type: "array", keySize: 4, valueSize: 4, maxEntries: 2 }, e);
    const other = createMap({ type: "array", keySize: 4, valueSize: 8, maxEntries: 2 }, e);
    const outer = createMap(
      { type: "array_of_maps", keySize: 4, valueSize: 4, maxEntries: 2, innerMap: inner },
      e,
    );
    const kin = kmap("array", 4, 4, 2);
    const kother = kmap("array", 4, 8, 2);
    const kout = kmap("array_of_maps", 4, 4, 2, ["inner_map", "pinned", kin.path]);
    const id = (mm: BpfMap) => bytes(mm.id, 4);
    same(outer.set(bytes(0, 4), id(inner)), kout.updateMap(bytes(0, 4), kin), "compatible inner");
    same(
      outer.set(bytes(1, 4), id(other)),
      kout.updateMap(bytes(1, 4), kother),
      "incompatible inner",
    );
    same(outer.set(bytes(2, 4), id(inner)), kout.updateMap(bytes(2, 4), kin), "out of range");
    same(outer.delete(bytes(1, 4)), kout.delete(bytes(1, 4)), "delete empty slot");
    same(outer.delete(bytes(0, 4)), kout.delete(bytes(0, 4)), "delete");
  });

  it("creation: the kernel's validation errors", () => {
    const cases: [string, number, number, number, string[]][] = [
      ["array", 8, 4, 4, []],
      ["array", 4, 0, 4, []],
      ["hash", 4, 4, 0, []],
      ["lpm_trie", 8, 4, 4, []],
      ["lpm_trie", 4, 4, 4, ["flags", "1"]],
      ["lru_hash", 4, 4, 4, ["flags", "1"]],
      ["hash", 4, 4, 4, ["flags", "2"]],
      ["queue", 4, 4, 4, []],
      ["ringbuf", 0, 0, 4096, []],
      ["ringbuf", 0, 0, 12288, []],
      ["ringbuf", 0, 4, 4096, []],
      ["devmap", 4, 6, 4, []],
      ["cpumap", 4, 4, 4, []],
      ["xskmap", 4, 4, 4, []],
      ["stack", 0, 4, 4, ["flags", "64"]],
      ["percpu_array", 4, 40000, 1, []],
    ];
    for (const [type, ks, vs, max, extra] of cases) {
      const km = KernelMap.create(type, ks, vs, max, extra);
      if (typeof km !== "number") pins.push(km);
      let model = 0;
      try {
        createMap(
          { type, keySize: ks, valueSize: vs, maxEntries: max, flags: Number(extra[1] ?? 0) },
          env(),
        );
      } catch (e) {
        if (!(e instanceof MapCreateError)) throw e;
        model = -e.errno;
      }
      same(
        model,
        typeof km === "number" ? km : 0,
        `create ${type} key ${ks} value ${vs} entries ${max} ${extra.join(" ")}`,
      );
    }
  });
});
