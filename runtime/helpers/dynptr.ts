// Dynamic pointers (kernel/bpf/helpers.c, net/core/filter.c): the 16-byte
// struct bpf_dynptr the program keeps on its stack, laid out as the
// kernel's struct bpf_dynptr_kern { void *data; u32 size; u32 offset; } with
// the type in bits 28-30 of size and read-only in bit 31. `data` is a VM
// pointer for local and ring buffer dynptrs; skb and xdp dynptrs hold a
// marker and always mean the run's packet (offsets count from skb->data /
// xdp->data, as in the kernel; an xdp dynptr spans the frags of a
// multi-buffer packet too, runtime/context/xdp-frags.ts). Helpers here:
// bpf_dynptr_from_mem, _read, _write, _data and the ring buffer dynptr trio;
// kfuncs.ts adds the kfuncs.

import type { HelperImpl, Packet, RunEnv } from "../env.js";
import { buffLen, fragsOf, xdpLoadStore, xdpPointer, type XdpSpot } from "../context/xdp-frags.js";
import { RingBufMap } from "../maps/index.js";
import { VmError, type Pointer } from "../vm/types.js";
import { E, dv, family, neg, readMem, u32, writableMem } from "./support.js";

export const DYNPTR_SIZE = 16;
const SIZE_MASK = 0xffffff;
const TYPE_SHIFT = 28;
const RDONLY_BIT = 0x80000000;
export const enum DynType {
  INVALID = 0,
  LOCAL = 1,
  RINGBUF = 2,
  SKB = 3,
  XDP = 4,
}
/** The `data` word of packet dynptrs (never a VM address). */
const PACKET_MARKER = 0x5ac4e7n;
const DYNPTR_MAX_SIZE = SIZE_MASK;

export interface Dynptr {
  data: Pointer;
  size: number;
  type: DynType;
  rdonly: boolean;
  offset: number;
}

export function readDynptr(env: RunEnv, ptr: Pointer): Dynptr {
  const v = dv(readMem(env, ptr, DYNPTR_SIZE));
  const sz = v.getUint32(8, true);
  return {
    data: v.getBigUint64(0, true),
    size: sz & SIZE_MASK,
    type: (sz >>> TYPE_SHIFT) & 7,
    rdonly: (sz & RDONLY_BIT) !== 0,
    offset: v.getUint32(12, true),
  };
}

export function writeDynptr(env: RunEnv, ptr: Pointer, d: Dynptr | null): void {
  const b = writableMem(env, ptr, DYNPTR_SIZE);
  b.fill(0);
  if (!d) return;
  const v = dv(b);
  v.setBigUint64(0, d.data, true);
  v.setUint32(8, (d.size | (d.type << TYPE_SHIFT) | (d.rdonly ? RDONLY_BIT : 0)) >>> 0, true);
  v.setUint32(12, d.offset >>> 0, true);
}

/**
 * A new skb or xdp dynptr over the run's packet: skb->len, or for xdp
 * xdp_get_buff_len (the linear part and every frag).
 */
export function packetDynptr(env: RunEnv, type: DynType.SKB | DynType.XDP): Dynptr {
  const p = env.packet;
  const size = type === DynType.XDP ? buffLen(p) : p.end - p.data;
  return { data: PACKET_MARKER, size, type, rdonly: !p.writable, offset: 0 };
}

/** bpf_dynptr_check_off_len. */
export function checkOffLen(d: Dynptr, offset: number, len: number): bigint {
  if (len > d.size || offset > d.size - len) return neg(E.E2BIG);
  return 0n;
}

/** The live bytes of an xdp range bpf_xdp_pointer found in one piece. */
export function xdpSpotBytes(p: Packet, spot: XdpSpot, len: number): Uint8Array {
  if (spot.frag < 0) return p.buf.subarray(p.data + spot.at, p.data + spot.at + len);
  return fragsOf(p)[spot.frag]!.page.subarray(spot.at, spot.at + len);
}

/**
 * bpf_dynptr_slice's direct answer (no buffer): the live bytes
 * [offset, offset + len) when they are one piece of memory, else undefined
 * (NULL). skb: within skb->len (test_run's skbs are linear); xdp: within the
 * linear part or one frag (bpf_xdp_pointer). The caller checked the range
 * against the dynptr.
 */
export function dynptrSlice(
  env: RunEnv,
  d: Dynptr,
  offset: number,
  len: number,
  write: boolean,
): Uint8Array | undefined {
  const at = d.offset + offset;
  const p = env.packet;
  if (d.type === DynType.SKB) {
    return at + len <= p.end - p.data ? p.buf.subarray(p.data + at, p.data + at + len) : undefined;
  }
  if (d.type === DynType.XDP) {
    const spot = xdpPointer(p, at, len);
    return spot !== null && typeof spot === "object" ? xdpSpotBytes(p, spot, len) : undefined;
  }
  if (len === 0) return new Uint8Array(0);
  const ptr = d.data + BigInt(at);
  return write ? writableMem(env, ptr, len) : readMem(env, ptr, len);
}

/**
 * __bpf_dynptr_read (flags checked by the caller): fill `dst` from
 * [offset, offset + dst.length) of the dynptr; 0 or -errno. skb ranges past
 * skb->len fail as bpf_skb_load_bytes does (-EFAULT, dst cleared); xdp
 * ranges go across frags as bpf_xdp_load_bytes does (-EFAULT past 0xffff,
 * -EINVAL past the buffer).
 */
export function dynptrRead(env: RunEnv, d: Dynptr, offset: number, dst: Uint8Array): bigint {
  if (d.data === 0n) return neg(E.EINVAL);
  const err = checkOffLen(d, offset, dst.length);
  if (err) return err;
  const at = d.offset + offset;
  const p = env.packet;
  if (d.type === DynType.SKB) {
    if (at > 0x7fffffff || at + dst.length > p.end - p.data) {
      dst.fill(0);
      return neg(E.EFAULT);
    }
    dst.set(p.buf.subarray(p.data + at, p.data + at + dst.length));
    return 0n;
  }
  if (d.type === DynType.XDP) return BigInt(xdpLoadStore(p, at, dst, false));
  if (dst.length) dst.set(readMem(env, d.data + BigInt(at), dst.length));
  return 0n;
}

/**
 * __bpf_dynptr_write: store `src` at `offset` of the dynptr; 0 or -errno.
 * skb dynptrs take bpf_skb_store_bytes's flags, the others none; xdp ranges
 * go across frags as bpf_xdp_store_bytes does.
 */
export function dynptrWrite(
  env: RunEnv,
  d: Dynptr,
  offset: number,
  src: Uint8Array,
  flags: bigint,
): bigint {
  if (d.data === 0n || d.rdonly) return neg(E.EINVAL);
  const err = checkOffLen(d, offset, src.length);
  if (err) return err;
  if (d.type === DynType.SKB ? flags & ~3n : flags !== 0n) return neg(E.EINVAL);
  const at = d.offset + offset;
  const p = env.packet;
  if (d.type === DynType.SKB) {
    if (at > 0x7fffffff || at + src.length > p.end - p.data) return neg(E.EFAULT);
    p.buf.set(src, p.data + at);
    return 0n;
  }
  if (d.type === DynType.XDP) return BigInt(xdpLoadStore(p, at, src, true));
  if (src.length) writableMem(env, d.data + BigInt(at), src.length).set(src);
  return 0n;
}

const fromMem: HelperImpl = (env, data, size, flags, out) => {
  const n = u32(size);
  if (flags !== 0n) {
    writeDynptr(env, out, null);
    return neg(E.EINVAL);
  }
  if (n > DYNPTR_MAX_SIZE) {
    writeDynptr(env, out, null);
    return neg(E.E2BIG);
  }
  readMem(env, data, n); // the verifier checked the memory; so do we
  writeDynptr(env, out, { data, size: n, type: DynType.LOCAL, rdonly: false, offset: 0 });
  return 0n;
};

const read: HelperImpl = (env, dst, len, src, offset, flags) => {
  const d = readDynptr(env, src);
  const out = writableMem(env, dst, u32(len));
  if (flags !== 0n) return neg(E.EINVAL);
  return dynptrRead(env, d, u32(offset), out);
};

const write: HelperImpl = (env, dst, offset, src, len, flags) => {
  const d = readDynptr(env, dst);
  const bytes = readMem(env, src, u32(len)).slice();
  const r = dynptrWrite(env, d, u32(offset), bytes, flags);
  // The verifier treats a write through an skb dynptr as changing packet data.
  if (r === 0n && d.type === DynType.SKB) env.packet.setBounds({});
  return r;
};

const data: HelperImpl = (env, ptr, offset, len) => {
  const d = readDynptr(env, ptr);
  if (d.data === 0n || checkOffLen(d, u32(offset), u32(len)) || d.rdonly) return 0n;
  if (d.type !== DynType.LOCAL && d.type !== DynType.RINGBUF) return 0n;
  return d.data + BigInt(d.offset + u32(offset));
};

const reserveDynptr: HelperImpl = (env, mapPtr, size, flags, out) => {
  const map = env.maps.require(mapPtr, "bpf_ringbuf_reserve_dynptr");
  if (!(map instanceof RingBufMap)) {
    throw new VmError("helper", `bpf_ringbuf_reserve_dynptr: ${map.name} is not a ring buffer`);
  }
  const n = u32(size);
  const err = n > DYNPTR_MAX_SIZE ? E.E2BIG : flags !== 0n ? E.EINVAL : 0;
  const sample = err ? undefined : map.reserve(n, 0);
  if (!sample) {
    writeDynptr(env, out, null);
    return neg(err || E.EAGAIN);
  }
  const p = env.expose("ringbuf", sample, `${map.name} record`);
  writeDynptr(env, out, { data: p, size: n, type: DynType.RINGBUF, rdonly: false, offset: 0 });
  return 0n;
};

function commitDynptr(env: RunEnv, ptr: Pointer, flags: bigint, discard: boolean): bigint {
  const d = readDynptr(env, ptr);
  if (d.data !== 0n) {
    const at = env.vm.mem.regionOf(d.data);
    for (const m of env.maps.all().values()) {
      if (at && m instanceof RingBufMap && m.header(at.region.bytes)) {
        if (discard) m.discard(at.region.bytes, flags);
        else m.submit(at.region.bytes, flags);
        env.vm.mem.removeRegion(at.region);
        break;
      }
    }
  }
  writeDynptr(env, ptr, null);
  return 0n;
}

export const dynptrHelpers = family({
  bpf_dynptr_from_mem: fromMem,
  bpf_dynptr_read: read,
  bpf_dynptr_write: write,
  bpf_dynptr_data: data,
  bpf_ringbuf_reserve_dynptr: reserveDynptr,
  bpf_ringbuf_submit_dynptr: (env, p, flags) => commitDynptr(env, p, flags, false),
  bpf_ringbuf_discard_dynptr: (env, p, flags) => commitDynptr(env, p, flags, true),
});
