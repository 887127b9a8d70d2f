// BPF_MAP_TYPE_RINGBUF (kernel/bpf/ringbuf.c): a power-of-two, page-multiple
// byte ring shared by all CPUs. Each record takes round_up(size + 8, 8)
// bytes: an 8-byte header { u32 len | BUSY_BIT | DISCARD_BIT; u32 pg_off }
// and the sample. reserve gives NULL when the record cannot fit between the
// consumer position (and the oldest still-busy record) and the producer
// position plus one ring; output gives -EAGAIN then. The user-space consumer
// reads committed records in order, skips discarded ones and stops at the
// first record still reserved, as libbpf's ring_buffer__consume does.

import {
  BPF_RB_AVAIL_DATA,
  BPF_RB_CONS_POS,
  BPF_RB_FORCE_WAKEUP,
  BPF_RB_NO_WAKEUP,
  BPF_RB_PROD_POS,
  BPF_RB_RING_SIZE,
  BPF_RINGBUF_BUSY_BIT,
  BPF_RINGBUF_DISCARD_BIT,
  BPF_RINGBUF_HDR_SZ,
  Errno,
  PAGE_SIZE,
} from "./constants.js";
import type { MapInit } from "./hash.js";
import { MapBase, roundUp, type MapEnv } from "./types.js";

/** RINGBUF_MAX_RECORD_SZ: the length field keeps two bits for BUSY/DISCARD. */
const MAX_RECORD_SZ = 0xffffffff >>> 2;
/** The data area starts after the header page and the consumer and producer pages. */
const DATA_PAGE_OFF = 3;

interface Record {
  readonly pos: number;
  /** The header's len word: size plus the BUSY/DISCARD bits. */
  hdrLen: number;
  readonly sample: Uint8Array;
}

/** Ring buffers have no elements: lookups find nothing, updates and deletes are -ENOTSUPP. */
export abstract class KeylessMap extends MapBase {
  lookup(_key: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.ENOTSUPP;
  }
  delete(_key: Uint8Array): number {
    return -Errno.ENOTSUPP;
  }
  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }
}

export class RingBufMap extends KeylessMap {
  private consumerPos = 0;
  private producerPos = 0;
  private pendingPos = 0;
  /** Records between the consumer and the producer, oldest first. */
  private readonly records: Record[] = [];
  private readonly bySample = new Map<Uint8Array, Record>();
  /** Wakeups a real consumer would have seen (submit without BPF_RB_NO_WAKEUP). */
  wakeups = 0;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
  }

  /** bpf_ringbuf_reserve: a live view of `size` bytes, or undefined (NULL). */
  reserve(size: number, flags: number | bigint): Uint8Array | undefined {
    if (BigInt(flags) !== 0n || size > MAX_RECORD_SZ) return undefined;
    const len = roundUp(size + BPF_RINGBUF_HDR_SZ, 8);
    const mask = this.maxEntries - 1;
    if (len > this.maxEntries) return undefined;
    // The oldest record still reserved bounds the producer, like the consumer does.
    for (const r of this.records) {
      if (r.pos < this.pendingPos) continue;
      if (r.hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      this.pendingPos = r.pos + recordLen(r.hdrLen);
    }
    if (this.pendingPos < this.consumerPos) this.pendingPos = this.consumerPos;
    const next = this.producerPos + len;
    if (next - this.pendingPos > mask || next - this.consumerPos > mask) return undefined;
    const rec: Record = {
      pos: this.producerPos,
      hdrLen: (size | BPF_RINGBUF_BUSY_BIT) >>> 0,
      sample: new Uint8Array(size),
    };
    this.producerPos = next;
    this.records.push(rec);
    this.bySample.set(rec.sample, rec);
    return rec.sample;
  }

  /** bpf_ringbuf_submit. Unknown samples are ignored (the verifier prevents them). */
  submit(sample: Uint8Array, flags: number | bigint): void {
    this.commit(sample, flags, false);
  }

  /** bpf_ringbuf_discard. */
  discard(sample: Uint8Array, flags: number | bigint): void {
    this.commit(sample, flags, true);
  }

  /** bpf_ringbuf_output: 0, -EINVAL for unknown flags, -EAGAIN when full. */
  output(data: Uint8Array, flags: number | bigint): number {
    const f = BigInt(flags);
    if (f & ~BigInt(BPF_RB_NO_WAKEUP | BPF_RB_FORCE_WAKEUP)) return -Errno.EINVAL;
    const rec = this.reserve(data.length, 0);
    if (!rec) return -Errno.EAGAIN;
    rec.set(data);
    this.commit(rec, f, false);
    return 0;
  }

  /** bpf_ringbuf_query. */
  query(flags: number | bigint): bigint {
    switch (Number(flags)) {
      case BPF_RB_AVAIL_DATA:
        return BigInt(this.producerPos - this.consumerPos);
      case BPF_RB_RING_SIZE:
        return BigInt(this.maxEntries);
      case BPF_RB_CONS_POS:
        return BigInt(this.consumerPos);
      case BPF_RB_PROD_POS:
        return BigInt(this.producerPos);
      default:
        return 0n;
    }
  }

  /** The 8-byte header the kernel wrote for a sample (len with flag bits, pg_off). */
  header(sample: Uint8Array): Uint8Array | undefined {
    const r = this.bySample.get(sample);
    if (!r) return undefined;
    const h = new Uint8Array(8);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, r.hdrLen, true);
    dv.setUint32(4, DATA_PAGE_OFF + Math.floor((r.pos & (this.maxEntries - 1)) / PAGE_SIZE), true);
    return h;
  }

  /** User space: every committed record from the consumer position on, in order; advances it. */
  consume(): Uint8Array[] {
    const out: Uint8Array[] = [];
    while (this.records.length) {
      const r = this.records[0]!;
      if (r.hdrLen & BPF_RINGBUF_BUSY_BIT) break;
      this.records.shift();
      this.bySample.delete(r.sample);
      this.consumerPos = r.pos + recordLen(r.hdrLen);
      if (!(r.hdrLen & BPF_RINGBUF_DISCARD_BIT)) out.push(r.sample.slice());
    }
    return out;
  }

  private commit(sample: Uint8Array, flags: number | bigint, discard: boolean): void {
    const r = this.bySample.get(sample);
    if (!r || !(r.hdrLen & BPF_RINGBUF_BUSY_BIT)) return;
    r.hdrLen = (r.hdrLen & ~BPF_RINGBUF_BUSY_BIT & 0x7fffffff) >>> 0;
    if (discard) r.hdrLen = (r.hdrLen | BPF_RINGBUF_DISCARD_BIT) >>> 0;
    // The kernel wakes the consumer when this record is the one it waits on.
    const f = BigInt(flags);
    const first = this.records[0] === r;
    if (f & BigInt(BPF_RB_FORCE_WAKEUP) || (!(f & BigInt(BPF_RB_NO_WAKEUP)) && first))
      this.wakeups++;
  }
}

function recordLen(hdrLen: number): number {
  return roundUp(
    (hdrLen & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT)) + BPF_RINGBUF_HDR_SZ,
    8,
  );
}
