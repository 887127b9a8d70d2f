// Kfuncs with real semantics (kernel/bpf/helpers.c, net/core/filter.c,
// kernel/bpf/bpf_iter.c, net/core/xdp.c): the dynptr family on packets and
// local memory, the numeric and bit iterators, RCU/preemption/IRQ and
// resilient spin lock pairs, the XDP RX metadata kfuncs (-EOPNOTSUPP: under
// test_run programs are not bound to a device, so the generic versions
// run), bpf_rdonly_cast and bpf_map_sum_elem_count. Keyed by kernel name.

import type { HelperImpl, HelperRegistry, RunEnv } from "../env.js";
import { VmError, type Pointer } from "../vm/types.js";
import { copyBuff, fragsOf, xdpPointer, type XdpSpot } from "../context/xdp-frags.js";
import {
  DynType,
  checkOffLen,
  dynptrRead,
  dynptrSlice,
  dynptrWrite,
  packetDynptr,
  readDynptr,
  writeDynptr,
  type Dynptr,
} from "./dynptr.js";
import { BPF_MAX_LOOPS } from "./util.js";
import { E, dv, neg, readMem, runState, s32, u32, writableMem } from "./support.js";

function fromPacket(type: DynType.SKB | DynType.XDP): HelperImpl {
  return (env, _ctx, flags, out) => {
    if (flags !== 0n) {
      writeDynptr(env, out, null);
      return neg(E.EINVAL);
    }
    writeDynptr(env, out, packetDynptr(env, type));
    return 0n;
  };
}

/**
 * bpf_dynptr_slice(_rdwr): a pointer to the data when it is one piece of
 * memory; else for xdp (a range across frags, or past 0xffff) the bytes
 * copied into buffer__opt and that pointer; else NULL. test_run's skbs are
 * linear, so skb slices are direct or NULL.
 */
function slice(rdwr: boolean): HelperImpl {
  return (env, p, offset, buffer, size) => {
    const d = readDynptr(env, p);
    const len = u32(size);
    const off = u32(offset);
    if (d.data === 0n || (rdwr && d.rdonly) || checkOffLen(d, off, len)) return 0n;
    if (d.type === DynType.LOCAL || d.type === DynType.RINGBUF) {
      return d.data + BigInt(d.offset + off);
    }
    const pkt = env.packet;
    if (d.type === DynType.SKB) {
      if (!dynptrSlice(env, d, off, len, false)) return 0n;
      return pkt.pointer(pkt.data + d.offset + off);
    }
    const spot = xdpPointer(pkt, d.offset + off, len);
    if (spot !== null && typeof spot === "object") {
      return spot.frag < 0 ? pkt.pointer(pkt.data + spot.at) : fragPointer(env, spot);
    }
    if (buffer === 0n) return 0n;
    copyBuff(pkt, d.offset + off, writableMem(env, buffer, len), false);
    return buffer;
  };
}

const fragPointers = new WeakMap<Uint8Array, Pointer>();

/**
 * A pointer into a frag's page for a slice: the page is registered once per
 * run (slices may be taken in a loop) and dropped with the run's other
 * exposed regions; the verifier forgets slices when the packet changes.
 */
function fragPointer(env: RunEnv, spot: XdpSpot): Pointer {
  const page = fragsOf(env.packet)[spot.frag]!.page;
  let ptr = fragPointers.get(page);
  if (ptr === undefined || env.vm.mem.regionOf(ptr)?.region.bytes !== page) {
    ptr = env.expose("memory", page, `xdp frag ${spot.frag}`);
    fragPointers.set(page, ptr);
  }
  return ptr + BigInt(spot.at);
}

const adjust: HelperImpl = (env, p, start, end) => {
  const d = readDynptr(env, p);
  if (d.data === 0n) return neg(E.EINVAL);
  const s = u32(start);
  const e = u32(end);
  if (s > d.size || e > d.size) return neg(E.ERANGE);
  if (s > e) return neg(E.EINVAL);
  writeDynptr(env, p, { ...d, offset: d.offset + s, size: e - s });
  return 0n;
};

const clone: HelperImpl = (env, p, out) => {
  const d = readDynptr(env, p);
  if (d.data === 0n) {
    writeDynptr(env, out, null);
    return neg(E.EINVAL);
  }
  writeDynptr(env, out, d);
  return 0n;
};

/** The kernel's bounce buffer size for copies between non-contiguous dynptrs. */
const BOUNCE = 256;

/**
 * bpf_dynptr_copy: memmove between direct slices when both have one, else
 * one side's slice through the other's read/write, else 256-byte chunks
 * read then written (overlapping chunked copies smear, as in the kernel).
 */
const copy: HelperImpl = (env, dstP, dstOff, srcP, srcOff, size) => {
  const dst = readDynptr(env, dstP);
  const src = readDynptr(env, srcP);
  const n = u32(size);
  const doff = u32(dstOff);
  const soff = u32(srcOff);
  const from = readableSlice(env, src, soff, n);
  const to = writableSlice(env, dst, doff, n);
  if (from && to) {
    to.set(from); // TypedArray.set copies overlapping ranges as memmove does
    return 0n;
  }
  if (from) return dynptrWrite(env, dst, doff, from.slice(), 0n);
  if (to) return dynptrRead(env, src, soff, to);
  if (checkOffLen(dst, doff, n) || checkOffLen(src, soff, n)) return neg(E.E2BIG);
  for (let at = 0; at < n; at += BOUNCE) {
    const chunk = new Uint8Array(Math.min(BOUNCE, n - at));
    const r = dynptrRead(env, src, soff + at, chunk) || dynptrWrite(env, dst, doff + at, chunk, 0n);
    if (r) return r;
  }
  return 0n;
};

/** bpf_dynptr_slice(p, off, NULL, n)'s bytes, or undefined for NULL. */
function readableSlice(env: RunEnv, d: Dynptr, off: number, n: number): Uint8Array | undefined {
  if (d.data === 0n || checkOffLen(d, off, n)) return undefined;
  return dynptrSlice(env, d, off, n, false);
}

/** bpf_dynptr_slice_rdwr(p, off, NULL, n)'s bytes, or undefined for NULL. */
function writableSlice(env: RunEnv, d: Dynptr, off: number, n: number): Uint8Array | undefined {
  if (d.rdonly) return undefined;
  const b = readableSlice(env, d, off, n);
  return b && n ? dynptrSlice(env, d, off, n, true) : b;
}

/** bpf_dynptr_memset: straight into a writable slice, else 256-byte writes. */
const memset: HelperImpl = (env, p, offset, size, val) => {
  const d = readDynptr(env, p);
  const n = u32(size);
  const off = u32(offset);
  const slice = writableSlice(env, d, off, n);
  if (slice) {
    slice.fill(Number(val & 0xffn));
    return 0n;
  }
  if (d.rdonly) return neg(E.EINVAL);
  const err = checkOffLen(d, off, n);
  if (err) return err;
  const buf = new Uint8Array(Math.min(BOUNCE, n)).fill(Number(val & 0xffn));
  for (let at = 0; at < n; at += BOUNCE) {
    const r = dynptrWrite(env, d, off + at, buf.subarray(0, Math.min(BOUNCE, n - at)), 0n);
    if (r) return r;
  }
  return 0n;
};

/** struct bpf_iter_num_kern { int cur; int end; } in the program's 8-byte iterator. */
const iterNumNew: HelperImpl = (env, it, start, end) => {
  const v = dv(writableMem(env, it, 8));
  const s = s32(start);
  const e = s32(end);
  const fail = (err: number) => {
    v.setInt32(0, 0, true);
    v.setInt32(4, 0, true);
    return neg(err);
  };
  if (s > e) return fail(E.EINVAL);
  if (e - s > BPF_MAX_LOOPS) return fail(E.E2BIG);
  v.setInt32(0, s - 1, true);
  v.setInt32(4, e, true);
  return 0n;
};

const iterNumNext: HelperImpl = (env, it) => {
  const v = dv(writableMem(env, it, 8));
  const cur = v.getInt32(0, true);
  if (cur + 1 >= v.getInt32(4, true)) {
    v.setInt32(0, 0, true);
    v.setInt32(4, 0, true);
    return 0n;
  }
  v.setInt32(0, cur + 1, true);
  return it;
};

const iterNumDestroy: HelperImpl = (env, it) => {
  writableMem(env, it, 8).fill(0);
  return 0n;
};

/**
 * struct bpf_iter_bits_kern { u64 bits_copy or *bits; int nr_bits; int bit; }
 * in the program's 16-byte iterator. Masks wider than 64 bits are kept
 * outside program memory (the kernel allocates them), keyed by the iterator.
 */
const bitsCopies = new WeakMap<RunEnv, Map<Pointer, Uint8Array>>();
const newBitsCopies = () => new Map<Pointer, Uint8Array>();
const BITS_NR_WORDS_MAX = 511;

const iterBitsNew: HelperImpl = (env, it, ptr, nrWords) => {
  const v = dv(writableMem(env, it, 16));
  const copies = runState(bitsCopies, env, newBitsCopies);
  v.setBigUint64(0, 0n, true);
  v.setInt32(8, 0, true);
  v.setInt32(12, -1, true);
  copies.delete(it);
  const words = u32(nrWords);
  if (ptr === 0n || words === 0) return neg(E.EINVAL);
  if (words > BITS_NR_WORDS_MAX) return neg(E.E2BIG);
  let bits: Uint8Array;
  try {
    bits = readMem(env, ptr, words * 8).slice();
  } catch {
    return neg(E.EFAULT); // bpf_probe_read_kernel_common failed
  }
  if (words === 1) v.setBigUint64(0, dv(bits).getBigUint64(0, true), true);
  else copies.set(it, bits);
  v.setInt32(8, words * 64, true);
  return 0n;
};

const iterBitsNext: HelperImpl = (env, it) => {
  const v = dv(writableMem(env, it, 16));
  const nr = v.getInt32(8, true);
  let bit = v.getInt32(12, true);
  if (nr === 0 || bit >= nr) return 0n;
  const bits =
    nr === 64
      ? readMem(env, it, 8)
      : (runState(bitsCopies, env, newBitsCopies).get(it) ?? new Uint8Array(0));
  for (bit++; bit < nr; bit++) if (bits[bit >> 3]! & (1 << (bit & 7))) break;
  v.setInt32(12, Math.min(bit, nr), true);
  return bit >= nr ? 0n : it + 12n;
};

const iterBitsDestroy: HelperImpl = (env, it) => {
  runState(bitsCopies, env, newBitsCopies).delete(it);
  return 0n;
};

/** The saved IRQ flags value: X86_EFLAGS_IF set, as in process context. SIMULATED. */
const IRQ_FLAGS = 0x200n;
const noop: HelperImpl = () => 0n;

const irqSave: HelperImpl = (env, flags) => {
  dv(writableMem(env, flags, 8)).setBigUint64(0, IRQ_FLAGS, true);
  return 0n;
};

/** rqspinlock: a single CPU never waits, so a held lock is the AA deadlock the kernel detects. */
const resLock: HelperImpl = (env, lock) => {
  const v = dv(writableMem(env, lock, 4));
  if (v.getUint32(0, true) !== 0) return neg(E.EDEADLK);
  v.setUint32(0, 1, true);
  return 0n;
};

const resUnlock: HelperImpl = (env, lock) => {
  dv(writableMem(env, lock, 4)).setUint32(0, 0, true);
  return 0n;
};

const HASH_TYPES = new Set([1, 5, 9, 10, 12, 13]); // hash, percpu hash, lru, lru percpu, hash of maps

const mapSumElemCount: HelperImpl = (env, mapPtr) => {
  const map = env.maps.require(mapPtr, "bpf_map_sum_elem_count");
  // Only hash maps keep the per-CPU element counters; the others report 0.
  if (!HASH_TYPES.has(map.type)) return 0n;
  let n = 0n;
  for (let k = map.nextKey(undefined); k && n <= BigInt(map.maxEntries); k = map.nextKey(k)) n++;
  return n;
};

export const kfuncHelpers: HelperRegistry = {
  bpf_dynptr_from_skb: fromPacket(DynType.SKB),
  bpf_dynptr_from_xdp: fromPacket(DynType.XDP),
  bpf_dynptr_slice: slice(false),
  bpf_dynptr_slice_rdwr: slice(true),
  bpf_dynptr_adjust: adjust,
  bpf_dynptr_clone: clone,
  bpf_dynptr_copy: copy,
  bpf_dynptr_memset: memset,
  bpf_dynptr_is_null: (env, p) => (readDynptr(env, p).data === 0n ? 1n : 0n),
  bpf_dynptr_is_rdonly: (env, p) => {
    const d = readDynptr(env, p);
    return d.data !== 0n && d.rdonly ? 1n : 0n;
  },
  bpf_dynptr_size: (env, p) => {
    const d = readDynptr(env, p);
    return d.data === 0n ? neg(E.EINVAL) : BigInt(d.size);
  },
  bpf_iter_num_new: iterNumNew,
  bpf_iter_num_next: iterNumNext,
  bpf_iter_num_destroy: iterNumDestroy,
  bpf_iter_bits_new: iterBitsNew,
  bpf_iter_bits_next: iterBitsNext,
  bpf_iter_bits_destroy: iterBitsDestroy,
  bpf_rcu_read_lock: noop,
  bpf_rcu_read_unlock: noop,
  bpf_preempt_disable: noop,
  bpf_preempt_enable: noop,
  bpf_local_irq_save: irqSave,
  bpf_local_irq_restore: noop,
  bpf_res_spin_lock: resLock,
  bpf_res_spin_unlock: resUnlock,
  bpf_res_spin_lock_irqsave: (env, lock, flags) => {
    irqSave(env, flags, 0n, 0n, 0n, 0n);
    return resLock(env, lock, 0n, 0n, 0n, 0n);
  },
  bpf_res_spin_unlock_irqrestore: resUnlock,
  bpf_xdp_metadata_rx_timestamp: () => neg(E.EOPNOTSUPP),
  bpf_xdp_metadata_rx_hash: () => neg(E.EOPNOTSUPP),
  bpf_xdp_metadata_rx_vlan_tag: () => neg(E.EOPNOTSUPP),
  // A cast for the verifier only: the value is unchanged.
  bpf_rdonly_cast: (_env, obj) => obj,
  bpf_map_sum_elem_count: mapSumElemCount,
};

/** Throw for a kfunc the verifier would refuse in these (non-sleepable) program types. */
export function sleepableRefused(name: string): HelperImpl {
  return (env) => {
    throw new VmError(
      "call",
      `kfunc ${name} is sleepable: the verifier refuses it in ${env.progType} programs`,
    );
  };
}
