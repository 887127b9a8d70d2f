// BPF_MAP_TYPE_USER_RINGBUF (kernel/bpf/ringbuf.c): the ring buffer the
// other way round. User space produces records (libbpf's
// user_ring_buffer__reserve/submit; here `produce`), each taking
// round_up(size + 8, 8) bytes of the ring with an 8-byte header; the program
// drains them with bpf_user_ringbuf_drain (runtime/helpers/user-ringbuf.ts),
// one callback per sample, and the consumer position advances as each one
// is released. Producing fails with -E2BIG for a record that can never fit
// and -ENOSPC when the free space (ring size - (producer - consumer)) is
// short, as libbpf reports.

import { BPF_RINGBUF_HDR_SZ, Errno } from "./constants.js";
import type { MapInit } from "./hash.js";
import { KeylessMap } from "./ringbuf.js";
import { roundUp, type MapEnv } from "./types.js";

/** BPF_MAX_USER_RINGBUF_SAMPLES: one drain call handles at most this many. */
export const MAX_USER_RINGBUF_SAMPLES = 128 * 1024;

interface UserRecord {
  pos: number;
  sample: Uint8Array;
  discarded: boolean;
}

export class UserRingBufMap extends KeylessMap {
  private consumerPos = 0;
  private producerPos = 0;
  private readonly records: UserRecord[] = [];
  /** A drain in progress (the kernel's rb->busy): a nested drain gets -EBUSY. */
  busy = false;
  /** Wakeups the producer would have seen (drain with samples, or BPF_RB_FORCE_WAKEUP). */
  wakeups = 0;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
  }

  /** User space: add a record (discarded: submitted with the discard bit). 0 or -errno. */
  produce(sample: Uint8Array, discarded = false): number {
    const len = roundUp(sample.length + BPF_RINGBUF_HDR_SZ, 8);
    if (len > this.maxEntries) return -Errno.E2BIG;
    if (len > this.maxEntries - (this.producerPos - this.consumerPos)) return -Errno.ENOSPC;
    this.records.push({ pos: this.producerPos, sample: sample.slice(), discarded });
    this.producerPos += len;
    return 0;
  }

  /** The oldest record not yet drained, or undefined. */
  oldest(): UserRecord | undefined {
    return this.records[0];
  }

  /** Release the oldest record: the consumer position moves past it. */
  release(): void {
    const r = this.records.shift();
    if (r) this.consumerPos = r.pos + roundUp(r.sample.length + BPF_RINGBUF_HDR_SZ, 8);
  }

  /** Bytes between consumer and producer (what user space still waits to see consumed). */
  pending(): number {
    return this.producerPos - this.consumerPos;
  }
}
