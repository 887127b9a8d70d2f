// Unit tests: LPM trie, queue/stack, bloom filter and ring buffer.

import { describe, expect, it } from "vitest";
import {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  BPF_RB_AVAIL_DATA,
  BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE,
  BPF_RINGBUF_BUSY_BIT,
  createMap,
  Errno,
  type BloomFilterMap,
  type QueueStackMap,
  type RingBufMap,
} from "../../runtime/maps/index.js";

const v4 = (len: number, a: number, b = 0, c = 0, d = 0) => Uint8Array.of(len, 0, 0, 0, a, b, c, d);
const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);

describe("LPM trie", () => {
  const mk = (max = 8) =>
    createMap({ type: "lpm_trie", keySize: 8, valueSize: 4, maxEntries: max, flags: 1 });

  it("longest prefix wins, limited by the key's prefixlen", () => {
    const m = mk();
    m.update(v4(8, 10), u32(8), BPF_ANY);
    m.update(v4(24, 10, 1, 2), u32(24), BPF_ANY);
    m.update(v4(0, 0), u32(0), BPF_ANY);
    expect(m.lookup(v4(32, 10, 1, 2, 3))).toEqual(u32(24));
    expect(m.lookup(v4(32, 10, 9, 9, 9))).toEqual(u32(8));
    expect(m.lookup(v4(32, 11, 0, 0, 0))).toEqual(u32(0));
    expect(m.lookup(v4(16, 10, 1, 2, 3))).toEqual(u32(8));
    expect(m.lookup(v4(33, 10))).toBeUndefined();
  });

  it("exact-prefix update and delete; -ENOSPC when full; post-order iteration", () => {
    const m = mk(3);
    expect(m.update(v4(8, 10, 99), u32(1), BPF_NOEXIST)).toBe(0);
    expect(m.update(v4(8, 10), u32(2), BPF_NOEXIST)).toBe(-Errno.EEXIST); // same /8
    expect(m.update(v4(16, 10, 1), u32(2), BPF_EXIST)).toBe(-Errno.ENOENT);
    expect(m.update(v4(16, 10, 1), u32(2), BPF_ANY)).toBe(0);
    expect(m.update(v4(16, 10, 0), u32(3), BPF_ANY)).toBe(0);
    expect(m.update(v4(16, 10, 2), u32(4), BPF_ANY)).toBe(-Errno.ENOSPC);
    expect(m.update(v4(16, 10, 1), u32(5), BPF_ANY)).toBe(0); // replacing in a full trie
    expect(m.update(v4(33, 10), u32(5), BPF_ANY)).toBe(-Errno.EINVAL);
    expect([...m.entries()].map(([k]) => [k[0], k[4], k[5]])).toEqual([
      [16, 10, 0],
      [16, 10, 1],
      [8, 10, 99], // data bytes kept as written
    ]);
    expect(m.delete(v4(16, 10, 1))).toBe(0);
    expect(m.delete(v4(16, 10, 1))).toBe(-Errno.ENOENT);
  });
});

describe("queue and stack", () => {
  it("FIFO and LIFO, E2BIG when full, BPF_EXIST drops the oldest, ENOENT when empty", () => {
    const q = createMap({
      type: "queue",
      keySize: 0,
      valueSize: 4,
      maxEntries: 2,
    }) as QueueStackMap;
    const s = createMap({
      type: "stack",
      keySize: 0,
      valueSize: 4,
      maxEntries: 2,
    }) as QueueStackMap;
    for (const m of [q, s]) {
      expect(m.push(u32(1), BPF_ANY)).toBe(0);
      expect(m.push(u32(2), BPF_ANY)).toBe(0);
      expect(m.push(u32(3), BPF_ANY)).toBe(-Errno.E2BIG);
      expect(m.push(u32(3), BPF_NOEXIST)).toBe(-Errno.EINVAL);
      expect(m.push(u32(3), BPF_EXIST)).toBe(0);
      expect(m.values()).toEqual([u32(2), u32(3)]);
    }
    const out = new Uint8Array(4);
    expect(q.peek(out)).toBe(0);
    expect(out).toEqual(u32(2));
    expect(s.pop(out)).toBe(0);
    expect(out).toEqual(u32(3));
    q.pop(out);
    q.pop(out);
    expect(q.pop(out)).toBe(-Errno.ENOENT);
    expect(q.peek(out)).toBe(-Errno.ENOENT);
    expect(q.update(new Uint8Array(0), u32(1), BPF_ANY)).toBe(-Errno.EINVAL);
  });
});

describe("bloom filter", () => {
  it("no false negatives; push takes only BPF_ANY; default 5 hashes", () => {
    const b = createMap({
      type: "bloom_filter",
      keySize: 0,
      valueSize: 8,
      maxEntries: 100,
    }) as BloomFilterMap;
    expect(b.nrHashFuncs).toBe(5);
    expect(b.bitsetMask).toBe(1023); // 100 * 5 / 5 * 7 = 700 -> 1024 bits
    const vals = Array.from({ length: 100 }, (_, i) => Uint8Array.of(i, i >> 8, 1, 2, 3, 4, 5, 6));
    for (const v of vals) expect(b.push(v, BPF_ANY)).toBe(0);
    for (const v of vals) expect(b.peek(v)).toBe(0);
    expect(b.push(vals[0]!, BPF_EXIST)).toBe(-Errno.EINVAL);
    expect(b.delete(new Uint8Array(0))).toBe(-Errno.EOPNOTSUPP);
  });
});

describe("ring buffer", () => {
  const mk = () =>
    createMap({ type: "ringbuf", keySize: 0, valueSize: 0, maxEntries: 4096 }) as RingBufMap;

  it("records in order, discarded ones skipped, reserved ones stop the consumer", () => {
    const rb = mk();
    const a = rb.reserve(5, 0)!;
    const b = rb.reserve(3, 0)!;
    a.set([1, 2, 3, 4, 5]);
    expect(rb.header(a)).toEqual(Uint8Array.of(5, 0, 0, 0x80, 3, 0, 0, 0));
    rb.submit(b, 0);
    expect(rb.consume()).toEqual([]); // a is still reserved
    rb.submit(a, 0);
    expect(rb.output(Uint8Array.of(9), 0)).toBe(0);
    const d = rb.reserve(1, 0)!;
    rb.discard(d, 0);
    expect(rb.query(BPF_RB_AVAIL_DATA)).toBe(16n + 16n + 16n + 16n);
    expect(rb.consume()).toEqual([
      Uint8Array.of(1, 2, 3, 4, 5),
      new Uint8Array(3),
      Uint8Array.of(9),
    ]);
    expect(rb.query(BPF_RB_AVAIL_DATA)).toBe(0n);
    expect(rb.query(BPF_RB_PROD_POS)).toBe(64n);
    expect(rb.query(BPF_RB_RING_SIZE)).toBe(4096n);
    expect(BPF_RINGBUF_BUSY_BIT).toBe(0x80000000);
  });

  it("NULL / -EAGAIN when full, -EINVAL for bad flags; space comes back after consuming", () => {
    const rb = mk();
    expect(rb.reserve(8, 1)).toBeUndefined();
    expect(rb.reserve(4096, 0)).toBeUndefined(); // record + header larger than the ring
    const big = rb.reserve(4096 - 16, 0)!; // 4088 bytes: fits (size - 1 limit)
    expect(big).toBeDefined();
    expect(rb.output(Uint8Array.of(1), 0)).toBe(-Errno.EAGAIN);
    expect(rb.output(Uint8Array.of(1), 4)).toBe(-Errno.EINVAL);
    rb.submit(big, 0);
    expect(rb.consume().length).toBe(1);
    expect(rb.output(Uint8Array.of(1), 0)).toBe(0);
  });
});
