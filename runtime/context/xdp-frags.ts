// Multi-buffer XDP packets as BPF_PROG_TEST_RUN builds them
// (net/bpf/test_run.c, bpf_prog_test_run_xdp): when data_in is longer than
// the linear part can hold (a page minus the headroom and the
// skb_shared_info tailroom: 3520 bytes without metadata), the rest goes into
// page-sized frags, at most MAX_SKB_FRAGS of them (more is -ENOMEM). The
// kernel does this for every XDP program, xdp.frags or not (observed on
// 6.18). The program's packet pointers only ever see the linear part;
// bpf_xdp_get_buff_len, bpf_xdp_load/store_bytes, bpf_xdp_adjust_tail and
// data_out see the frags too. Frags are kept beside the packet (env.ts's
// Packet has no slot for them), keyed by the packet buffer.

import type { Packet } from "../env.js";

export const PAGE_SIZE = 4096;
/** CONFIG_MAX_SKB_FRAGS of the reference kernel. */
export const MAX_SKB_FRAGS = 17;

/** One skb_frag_t: a page with `size` bytes from offset 0 (test_run's frags start at 0). */
export interface Frag {
  page: Uint8Array;
  size: number;
}

const fragsByPacket = new WeakMap<Packet, Frag[]>();

/** A linear packet's frags: one shared empty list, so asking allocates nothing per packet. */
const NO_FRAGS: readonly Frag[] = Object.freeze([]);

/** The packet's frags (empty for a linear packet); read-only, adjustFragsTail changes them. */
export function fragsOf(p: Packet): readonly Frag[] {
  return fragsByPacket.get(p) ?? NO_FRAGS;
}

/** Split `rest` (the input past the linear part) into page-sized frags; undefined past MAX_SKB_FRAGS. */
export function attachFrags(p: Packet, rest: Uint8Array): boolean {
  const frags: Frag[] = [];
  for (let at = 0; at < rest.length; at += PAGE_SIZE) {
    if (frags.length === MAX_SKB_FRAGS) return false;
    const page = new Uint8Array(PAGE_SIZE);
    const chunk = rest.subarray(at, at + PAGE_SIZE);
    page.set(chunk);
    frags.push({ page, size: chunk.length });
  }
  if (frags.length) fragsByPacket.set(p, frags);
  return true;
}

/** sinfo->xdp_frags_size. */
export function fragsSize(p: Packet): number {
  const frags = fragsOf(p);
  let n = 0;
  for (let i = 0; i < frags.length; i++) n += frags[i]!.size;
  return n;
}

/** xdp_get_buff_len: the linear data plus every frag. */
export function buffLen(p: Packet): number {
  return p.end - p.data + fragsSize(p);
}

/**
 * The pieces [offset, offset + len) of the whole buffer covers (linear data
 * first, then the frags in order), as live views; the caller checked the range.
 */
export function buffPieces(p: Packet, offset: number, len: number): Uint8Array[] {
  const parts: Uint8Array[] = [p.buf.subarray(p.data, p.end)];
  for (const f of fragsOf(p)) parts.push(f.page.subarray(0, f.size));
  const out: Uint8Array[] = [];
  let skip = offset;
  let want = len;
  for (const part of parts) {
    if (want === 0) break;
    if (skip >= part.length) {
      skip -= part.length;
      continue;
    }
    const take = Math.min(part.length - skip, want);
    out.push(part.subarray(skip, skip + take));
    want -= take;
    skip = 0;
  }
  return out;
}

/** Where bpf_xdp_pointer finds a range: in the linear part (frag -1, `at` from data) or a frag. */
export interface XdpSpot {
  frag: number;
  at: number;
}

/**
 * bpf_xdp_pointer: the piece [offset, offset + len) lies in when it lies in
 * one (the linear part or one frag), null when it spans pieces, -errno past
 * 0xffff (-EFAULT) or past the buffer (-EINVAL). As in the kernel, a range
 * that starts at the very end of the buffer counts as linear.
 */
export function xdpPointer(p: Packet, offset: number, len: number): XdpSpot | null | number {
  if (offset > 0xffff || len > 0xffff) return -14;
  if (offset + len > buffLen(p)) return -22;
  let size = p.end - p.data;
  let frag = -1;
  let at = offset;
  if (at >= size) {
    at -= size;
    const frags = fragsOf(p);
    for (let i = 0; i < frags.length; i++) {
      if (at < frags[i]!.size) {
        frag = i;
        size = frags[i]!.size;
        break;
      }
      at -= frags[i]!.size;
    }
  }
  return at + len <= size ? { frag, at } : null;
}

/**
 * bpf_xdp_copy_buf: copy between `buf` and [offset, offset + buf.length) of
 * the whole buffer (into the packet when `flush`), piece by piece; bytes past
 * the buffer's end are left as they are.
 */
export function copyBuff(p: Packet, offset: number, buf: Uint8Array, flush: boolean): void {
  let at = 0;
  for (const piece of buffPieces(p, offset, buf.length)) {
    if (flush) piece.set(buf.subarray(at, at + piece.length));
    else buf.set(piece, at);
    at += piece.length;
  }
}

/** __bpf_xdp_load_bytes / __bpf_xdp_store_bytes (`store`): 0 or -errno. */
export function xdpLoadStore(p: Packet, offset: number, buf: Uint8Array, store: boolean): number {
  const spot = xdpPointer(p, offset, buf.length);
  if (typeof spot === "number") return spot;
  copyBuff(p, offset, buf, store);
  return 0;
}

/** A copy of [offset, offset + len) across linear data and frags (bpf_xdp_copy_buf). */
export function readBuff(p: Packet, offset: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let at = 0;
  for (const piece of buffPieces(p, offset, len)) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** Store `bytes` at `offset` across linear data and frags. */
export function writeBuff(p: Packet, offset: number, bytes: Uint8Array): void {
  let at = 0;
  for (const piece of buffPieces(p, offset, bytes.length)) {
    piece.set(bytes.subarray(at, at + piece.length));
    at += piece.length;
  }
}

/**
 * bpf_xdp_adjust_tail on a packet with frags: growing extends the last frag
 * within its page (-EINVAL past it, new bytes zeroed); shrinking takes bytes
 * from the last frags, dropping the ones it empties, and once none is left
 * the rest from the linear data (-EINVAL if fewer than ETH_HLEN bytes would
 * remain). Returns 0 or -errno as a number.
 */
export function adjustFragsTail(p: Packet, delta: number, ethHlen: number): number {
  const frags = fragsByPacket.get(p)!;
  if (delta >= 0) {
    const last = frags[frags.length - 1]!;
    if (delta > PAGE_SIZE - last.size) return -22;
    last.page.fill(0, last.size, last.size + delta);
    last.size += delta;
    return 0;
  }
  let shrink = -delta;
  if (shrink > buffLen(p) - ethHlen) return -22;
  while (shrink > 0 && frags.length) {
    const last = frags[frags.length - 1]!;
    const take = Math.min(shrink, last.size);
    last.size -= take;
    shrink -= take;
    if (last.size === 0) frags.pop();
  }
  if (!frags.length) {
    fragsByPacket.delete(p);
    p.setBounds({ end: p.end - shrink });
  }
  return 0;
}
