// Checksum helpers (net/core/filter.c): bpf_csum_diff, bpf_l3_csum_replace,
// bpf_l4_csum_replace, bpf_csum_update, bpf_csum_level, bpf_set_hash_invalid,
// bpf_get_hash_recalc. The arithmetic is the kernel's x86-64 one: words are
// loaded little-endian (so values stay in "network order as loaded", like
// the program's), 32-bit one's-complement sums with end-around carry, and
// the exact folds the kernel uses, so 0 vs 0xffff representatives agree.
// test_run's skbs are CHECKSUM_NONE: the skb->csum side effects of the
// COMPLETE/PARTIAL cases only show through bpf_csum_level and bpf_csum_update.

import type { HelperImpl, RunEnv } from "../env.js";
import { jhash } from "../maps/index.js";
import { E, K, dv, family, neg, readMem, skbState, u32 } from "./support.js";

const HDR_FIELD_MASK = K("BPF_F_HDR_FIELD_MASK");
const PSEUDO_HDR = K("BPF_F_PSEUDO_HDR");
/** BPF_F_MARK_MANGLED_0 (1 << 5): not in the stdlib's constant table. */
const MARK_MANGLED_0 = 1n << 5n;
const MARK_ENFORCE = K("BPF_F_MARK_ENFORCE");
/** BPF_F_IPV6 (1 << 7), accepted by l4_csum_replace since Linux 6.16. */
const F_IPV6 = 1n << 7n;
const CSUM_MANGLED_0 = 0xffff;
const CHECKSUM_NONE = 0;
const CHECKSUM_UNNECESSARY = 1;
const CHECKSUM_COMPLETE = 2;
const SKB_MAX_CSUM_LEVEL = 3;

/** csum_partial on x86-64: little-endian words summed with carry, folded to 32 bits. */
export function csumPartial(bytes: Uint8Array, seed: number): number {
  const v = dv(bytes);
  let sum = seed >>> 0;
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) sum += v.getUint32(i, true);
  if (i + 2 <= bytes.length) {
    sum += v.getUint16(i, true);
    i += 2;
  }
  if (i < bytes.length) sum += bytes[i]!;
  // Sums of up to 2^21 words stay exact in a double; fold the carries back in.
  while (sum > 0xffffffff) sum = (sum % 0x100000000) + Math.floor(sum / 0x100000000);
  return sum >>> 0;
}

/** csum_add: 32-bit one's-complement addition. */
export function csumAdd(a: number, b: number): number {
  const s = (a >>> 0) + (b >>> 0);
  return (s > 0xffffffff ? s - 0xffffffff : s) >>> 0;
}

export function csumSub(a: number, b: number): number {
  return csumAdd(a, ~b >>> 0);
}

/** csum_fold: the 16-bit complemented checksum of a 32-bit sum. */
export function csumFold(sum: number): number {
  let s = (sum & 0xffff) + (sum >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** csum_from32to16: fold to 16 bits without complementing (what bpf_csum_diff returns). */
function from32to16(sum: number): number {
  const s = ((sum >>> 0) + (((sum >>> 16) | (sum << 16)) >>> 0)) % 0x100000000;
  return s >>> 16;
}

function csum16Add(csum: number, addend: number): number {
  const res = (csum + addend) & 0xffff;
  return (res + (res < addend ? 1 : 0)) & 0xffff;
}

/** csum_replace2: incremental update of a 16-bit field (RFC 1624). */
function replace2(sum: number, from: number, to: number): number {
  return ~csum16Add(csum16Add(~sum & 0xffff, ~from & 0xffff), to) & 0xffff;
}

/** csum_replace4: incremental update of a 32-bit field (~ of the unfolded sum is 32-bit). */
function replace4(sum: number, from: number, to: number): number {
  const tmp = csumSub(~sum >>> 0, from);
  return csumFold(csumAdd(tmp, to));
}

/** csum_replace_by_diff: fold a precomputed difference (bpf_csum_diff's result) in. */
function replaceByDiff(sum: number, diff: number): number {
  return csumFold(csumAdd(diff, ~sum >>> 0));
}

const csumDiff: HelperImpl = (env, from, fromSize, to, toSize, seed) => {
  const fs = u32(fromSize);
  const ts = u32(toSize);
  // Linux 6.12+: any multiple of 4 (the old 512-byte scratch limit is gone).
  if ((fs | ts) & 3) return neg(E.EINVAL);
  const s = u32(seed);
  const f = readMem(env, from, fs);
  const t = readMem(env, to, ts);
  if (fs && ts) return BigInt(from32to16(csumSub(csumPartial(t, s), csumPartial(f, 0))));
  if (ts) return BigInt(from32to16(csumPartial(t, s)));
  if (fs) return BigInt(from32to16(~csumPartial(f, ~s >>> 0) >>> 0));
  return BigInt(s);
};

/** The 16-bit checksum field at `offset` of skb data, or the errno the kernel returns. */
function checksumField(env: RunEnv, offset: bigint): { view: DataView; at: number } | bigint {
  // offset > 0xffff or odd: -EFAULT; past the data: bpf_try_make_writable fails, -EFAULT.
  if (offset > 0xffffn || offset & 1n) return neg(E.EFAULT);
  const p = env.packet;
  const o = Number(offset);
  if (p.data + o + 2 > p.end) return neg(E.EFAULT);
  return { view: dv(p.buf), at: p.data + o };
}

/**
 * The new checksum for a BPF_F_HDR_FIELD_MASK size of 0 (fold a bpf_csum_diff
 * result in), 2 or 4 (replace `from` by `to`), or undefined (-EINVAL). L4
 * fields go through inet_proto_csum_replace*, whose 2-byte case widens to
 * csum_replace4; under CHECKSUM_NONE the pseudo-header flag changes nothing
 * in the packet (only skb->csum under COMPLETE/PARTIAL).
 */
function replaced(sum: number, size: bigint, from: bigint, to: bigint, l4: boolean) {
  switch (size) {
    case 0n:
      return from !== 0n ? undefined : replaceByDiff(sum, u32(to));
    case 2n: {
      const f = Number(from & 0xffffn);
      const t = Number(to & 0xffffn);
      return l4 ? replace4(sum, f, t) : replace2(sum, f, t);
    }
    case 4n:
      return replace4(sum, u32(from), u32(to));
  }
  return undefined;
}

const l3Replace: HelperImpl = (env, _ctx, offset, from, to, flags) => {
  if (flags & ~HDR_FIELD_MASK) return neg(E.EINVAL);
  const f = checksumField(env, offset);
  if (typeof f === "bigint") return f;
  const out = replaced(f.view.getUint16(f.at, true), flags & HDR_FIELD_MASK, from, to, false);
  if (out === undefined) return neg(E.EINVAL);
  f.view.setUint16(f.at, out, true);
  return 0n;
};

const l4Replace: HelperImpl = (env, _ctx, offset, from, to, flags) => {
  const mangled0 = (flags & MARK_MANGLED_0) !== 0n;
  const enforce = (flags & MARK_ENFORCE) !== 0n;
  if (flags & ~(MARK_MANGLED_0 | MARK_ENFORCE | PSEUDO_HDR | F_IPV6 | HDR_FIELD_MASK)) {
    return neg(E.EINVAL);
  }
  const f = checksumField(env, offset);
  if (typeof f === "bigint") return f;
  const sum = f.view.getUint16(f.at, true);
  if (mangled0 && !enforce && sum === 0) return 0n;
  let out = replaced(sum, flags & HDR_FIELD_MASK, from, to, true);
  if (out === undefined) return neg(E.EINVAL);
  if (mangled0 && out === 0) out = CSUM_MANGLED_0;
  f.view.setUint16(f.at, out, true);
  return 0n;
};

const csumUpdate: HelperImpl = (env, _skb, csum) => {
  const s = skbState(env);
  if (s.ipSummed !== CHECKSUM_COMPLETE) return neg(E.ENOTSUPP);
  s.csum = csumAdd(s.csum, u32(csum));
  return BigInt(s.csum);
};

const csumLevel: HelperImpl = (env, _skb, level) => {
  const s = skbState(env);
  switch (level) {
    case 0n: // BPF_CSUM_LEVEL_QUERY
      return s.ipSummed === CHECKSUM_UNNECESSARY ? BigInt(s.csumLevel) : neg(E.EACCES);
    case 1n: // INC
      if (s.ipSummed === CHECKSUM_UNNECESSARY) {
        if (s.csumLevel < SKB_MAX_CSUM_LEVEL) s.csumLevel++;
      } else if (s.ipSummed === CHECKSUM_NONE) {
        s.ipSummed = CHECKSUM_UNNECESSARY;
        s.csumLevel = 0;
      }
      return 0n;
    case 2n: // DEC
      if (s.ipSummed === CHECKSUM_UNNECESSARY) {
        if (s.csumLevel === 0) s.ipSummed = CHECKSUM_NONE;
        else s.csumLevel--;
      }
      return 0n;
    case 3n: // RESET
      if (s.ipSummed === CHECKSUM_UNNECESSARY) {
        s.ipSummed = CHECKSUM_NONE;
        s.csumLevel = 0;
      }
      return 0n;
    default:
      return neg(E.EINVAL);
  }
};

const setHashInvalid: HelperImpl = (env) => {
  env.ctx.set("hash", 0n);
  return 0n;
};

/**
 * skb_get_hash: keeps a valid hash, else the flow dissector's hash of the
 * addresses, ports and protocol. The kernel keys that hash with a random
 * per-boot secret, so the value is SIMULATED (jhash with seed 0 over the same
 * fields); it is stable, non-zero and equal for packets of one flow.
 */
const getHashRecalc: HelperImpl = (env) => {
  const cur = env.ctx.get("hash") & 0xffffffffn;
  if (cur !== 0n) return cur;
  const pkt = env.packet.bytes();
  const l3 = env.progType === "tc" || env.progType === "xdp" ? 14 : 0;
  const ip = pkt.subarray(l3);
  let key: Uint8Array;
  if (ip.length >= 20 && ip[0]! >> 4 === 4) {
    const ihl = (ip[0]! & 15) * 4;
    key = new Uint8Array(13);
    key.set(ip.subarray(12, 20), 0);
    key[8] = ip[9]!;
    if (ip.length >= ihl + 4) key.set(ip.subarray(ihl, ihl + 4), 9);
  } else if (ip.length >= 40 && ip[0]! >> 4 === 6) {
    key = new Uint8Array(37);
    key.set(ip.subarray(8, 40), 0);
    key[32] = ip[6]!;
    if (ip.length >= 44) key.set(ip.subarray(40, 44), 33);
  } else {
    return 0n;
  }
  const h = jhash(key, 0) >>> 0 || 1;
  env.ctx.set("hash", BigInt(h));
  return BigInt(h);
};

export const csumHelpers = family({
  bpf_csum_diff: csumDiff,
  bpf_l3_csum_replace: l3Replace,
  bpf_l4_csum_replace: l4Replace,
  bpf_csum_update: csumUpdate,
  bpf_csum_level: csumLevel,
  bpf_set_hash_invalid: setHashInvalid,
  bpf_get_hash_recalc: getHashRecalc,
});
