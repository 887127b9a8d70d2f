// Packet data helpers (net/core/filter.c): XDP tail/meta adjustment, buffer
// length, load/store bytes for XDP and skb programs, skb pull/change
// head/tail, and the MTU check. Geometry changes go through env.packet,
// which re-registers the packet region so stale packet pointers fault, as
// the verifier forces programs to re-check after these helpers. XDP packets
// longer than a page continue in frags (runtime/context/xdp-frags.ts).

import type { HelperImpl, RunEnv } from "../env.js";
import { ETH_HLEN } from "../context/xdp.js";
import { adjustFragsTail, buffLen, fragsOf, readBuff, writeBuff } from "../context/xdp-frags.js";
import {
  E,
  K,
  deviceMtu,
  dv,
  family,
  neg,
  readMem,
  regsHelper,
  s32,
  skbState,
  u32,
  writableMem,
} from "./support.js";

/** sizeof(struct xdp_frame) on x86-64: data_meta may not reach into it. */
const XDP_FRAME_STRUCT = 40;
const RECOMPUTE_CSUM = K("BPF_F_RECOMPUTE_CSUM");
const INVALIDATE_HASH = K("BPF_F_INVALIDATE_HASH");
const MTU_CHK_SEGS = K("BPF_MTU_CHK_SEGS");
/** The loopback device test_run attaches skbs to: mtu + hard_header_len bounds the packet. */
const LOOPBACK_MAX_LEN = 65536 + ETH_HLEN;

/** skb->len: the bytes from skb->data (LWT and cgroup_skb start at the IP header). */
function skbLen(env: RunEnv): number {
  return env.packet.end - env.packet.data;
}

/** skb_network_offset: where the IP header is relative to skb->data (tc keeps the MAC header). */
function networkOffset(env: RunEnv): number {
  return env.progType === "tc" ? ETH_HLEN : 0;
}

/**
 * bpf_compute_data_pointers after a helper that may move data: run `change`
 * and make sure the packet ends up at a new address (re-registering twice
 * can land on the old slot again), so every old packet pointer faults.
 */
export function movePacket<T>(env: RunEnv, change: () => T): T {
  const before = env.packet.region.ptr;
  const r = change();
  movedFrom(env, before);
  return r;
}

/** movePacket's check, for helpers that change the packet themselves (no closure per call). */
function movedFrom(env: RunEnv, before: bigint): void {
  if (env.packet.region.ptr === before) env.packet.setBounds({});
}

// The per-packet packet helpers read their arguments from the register file
// (regsHelper): no BigInt per call. Offsets are the low 32 bits, signed.

const xdpAdjustMeta = regsHelper((env, regs) => {
  const p = env.packet;
  const meta = p.meta + (regs[4]! | 0);
  // data_meta may range from past struct xdp_frame at the frame start up to data.
  if (meta < XDP_FRAME_STRUCT || meta > p.data) return -E.EINVAL;
  // xdp_metalen_invalid: 4-byte aligned, at most skb_shared_info.meta_len's 255.
  const metalen = p.data - meta;
  if (metalen & 3 || metalen > 255) return -E.EACCES;
  p.setGeometry(meta, p.data, p.end);
  return 0;
});

const xdpAdjustTail = regsHelper((env, regs) => {
  const p = env.packet;
  const delta = regs[4]! | 0;
  if (fragsOf(p).length) {
    const r = adjustFragsTail(p, delta, ETH_HLEN);
    p.setBounds({}); // the verifier treats it as changing packet data either way
    return r;
  }
  const end = p.end + delta;
  if (end > p.buf.length - p.reserved) return -E.EINVAL;
  if (end < p.data + ETH_HLEN) return -E.EINVAL;
  // Grown bytes are cleared: they could hold stale memory.
  if (delta > 0) p.buf.fill(0, p.end, end);
  p.setGeometry(p.meta, p.data, end);
  return 0;
});

const xdpGetBuffLen = regsHelper((env) => buffLen(env.packet));

/** bpf_xdp_load/store_bytes' checks: -EFAULT past 0xffff, -EINVAL past the buffer (frags included). */
function xdpRange(env: RunEnv, offset: bigint, len: bigint): bigint {
  if (u32(offset) > 0xffff || u32(len) > 0xffff) return neg(E.EFAULT);
  if (u32(offset) + u32(len) > buffLen(env.packet)) return neg(E.EINVAL);
  return 0n;
}

const xdpLoadBytes: HelperImpl = (env, _ctx, offset, buf, len) => {
  const err = xdpRange(env, offset, len);
  if (err) return err;
  const dst = writableMem(env, buf, u32(len));
  dst.set(readBuff(env.packet, u32(offset), u32(len)));
  return 0n;
};

const xdpStoreBytes: HelperImpl = (env, _ctx, offset, buf, len) => {
  const err = xdpRange(env, offset, len);
  if (err) return err;
  writeBuff(env.packet, u32(offset), readMem(env, buf, u32(len)));
  return 0n;
};

const skbLoadBytes: HelperImpl = (env, _ctx, offset, to, len) => {
  const n = u32(len);
  const dst = writableMem(env, to, n);
  const off = u32(offset);
  // offset > INT_MAX or past skb->len: the buffer is cleared and -EFAULT returned.
  if (off > 0x7fffffff || off + n > skbLen(env)) {
    dst.fill(0);
    return neg(E.EFAULT);
  }
  const start = env.packet.data + off;
  dst.set(env.packet.buf.subarray(start, start + n));
  return 0n;
};

const skbStoreBytes: HelperImpl = (env, _ctx, offset, from, len, flags) => {
  if (flags & ~(RECOMPUTE_CSUM | INVALIDATE_HASH)) return neg(E.EINVAL);
  const off = u32(offset);
  const n = u32(len);
  const src = readMem(env, from, n);
  if (off > 0x7fffffff) return neg(E.EFAULT);
  if (off + n > skbLen(env)) return neg(E.EFAULT);
  // BPF_F_RECOMPUTE_CSUM only adjusts skb->csum under CHECKSUM_COMPLETE,
  // which test_run's skbs never are.
  movePacket(env, () => env.packet.buf.set(src, env.packet.data + off));
  if (flags & INVALIDATE_HASH) env.ctx.set("hash", 0n);
  return 0n;
};

const skbPullData: HelperImpl = (env, _ctx, len) => {
  // Linear skbs: pulling succeeds up to skb->len; more is -ENOMEM (pskb_may_pull fails).
  const n = u32(len);
  return movePacket(env, () => (n > skbLen(env) ? neg(E.ENOMEM) : 0n));
};

/** A 64-bit flags argument (r`n`) is zero. */
const noFlags = (regs: Uint32Array, n: number) => (regs[2 * n]! | regs[2 * n + 1]!) === 0;

/**
 * A helper (skb, n, flags) that moves the packet, as a RegsHelper: `change`
 * gets n (u32) and whether flags are 0, and the packet's address changes.
 */
const moving = (change: (env: RunEnv, n: number, flagsZero: boolean) => number) =>
  regsHelper((env, regs) => {
    const before = env.packet.region.ptr;
    const r = change(env, regs[4]!, noFlags(regs, 3));
    movedFrom(env, before);
    return r;
  });

const skbChangeTail = moving(changeTail);

function changeTail(env: RunEnv, n: number, flagsZero: boolean): number {
  if (!flagsZero || n > LOOPBACK_MAX_LEN || n < networkOffset(env)) return -E.EINVAL;
  if (skbState(env).encapsulation) return -E.ENOTSUPP;
  const p = env.packet;
  const len = skbLen(env);
  if (n > len) {
    p.ensureRoom(0, n - len);
    p.buf.fill(0, p.end, p.data + n);
  }
  p.setGeometry(p.meta, p.data, p.data + n);
  return 0;
}

const skbChangeHead = moving(changeHead);

function changeHead(env: RunEnv, room: number, flagsZero: boolean): number {
  if (!flagsZero || skbLen(env) + room > LOOPBACK_MAX_LEN) return -E.EINVAL;
  const p = env.packet;
  p.ensureRoom(room, 0);
  const data = p.data - room;
  p.buf.fill(0, data, p.data);
  p.setGeometry(data, data, p.end);
  return 0;
}

/** bpf_xdp_check_mtu / bpf_skb_check_mtu: the device's MTU against the packet (or *mtu_len). */
const checkMtu: HelperImpl = (env, _ctx, ifindex, mtuLenPtr, lenDiff, flags) => {
  const slot = writableMem(env, mtuLenPtr, 4);
  const v = dv(slot);
  const xdp = env.progType === "xdp";
  const fail = (err: number, mtu: number) => {
    if (!xdp) v.setUint32(0, mtu, true);
    return neg(err);
  };
  if (xdp ? flags !== 0n : (flags & ~MTU_CHK_SEGS) !== 0n) return fail(E.EINVAL, 0);
  if (!xdp && flags & MTU_CHK_SEGS && (lenDiff !== 0n || v.getUint32(0, true) !== 0)) {
    return fail(E.EINVAL, 0);
  }
  // ifindex 0: the device the packet is on (test_run: ingress_ifindex/ifindex, loopback by default).
  const dev = u32(ifindex) || Number(env.ctx.get(xdp ? "ingress_ifindex" : "ifindex"));
  const mtu = deviceMtu(env, dev);
  if (mtu === undefined) return fail(E.ENODEV, 0);
  const inLen = v.getUint32(0, true);
  const len = (inLen ? inLen + ETH_HLEN : skbLen(env)) + s32(lenDiff);
  v.setUint32(0, mtu, true);
  return len > mtu + ETH_HLEN ? K("BPF_MTU_CHK_RET_FRAG_NEEDED") : 0n;
};

export const packetHelpers = family({
  bpf_xdp_adjust_meta: xdpAdjustMeta,
  bpf_xdp_adjust_tail: xdpAdjustTail,
  bpf_xdp_get_buff_len: xdpGetBuffLen,
  bpf_xdp_load_bytes: xdpLoadBytes,
  bpf_xdp_store_bytes: xdpStoreBytes,
  bpf_skb_load_bytes: skbLoadBytes,
  bpf_skb_store_bytes: skbStoreBytes,
  bpf_skb_pull_data: skbPullData,
  bpf_skb_change_tail: skbChangeTail,
  bpf_skb_change_head: skbChangeHead,
  bpf_check_mtu: checkMtu,
});
