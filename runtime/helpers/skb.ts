// Socket-buffer metadata helpers (net/core/filter.c, net/core/lwt_bpf.c):
// tunnel key and options get/set against the world's simulated tunnel
// metadata, route realm, net_cls classid, cgroup array membership and
// bpf_lwt_push_encap (BPF_LWT_ENCAP_IP). test_run's skbs carry no tunnel
// metadata, no dst and no net_cls classid, which the default world mirrors:
// get_tunnel_key gives -EINVAL, realm and classid are 0.

import type { HelperImpl, RunEnv } from "../env.js";
import { CgroupArrayMap } from "../maps/index.js";
import { VmError } from "../vm/types.js";
import { cgroupChain } from "./cgroups.js";
import { csumFold, csumPartial } from "./csum.js";
import { movePacket } from "./packet.js";
import {
  E,
  K,
  dv,
  family,
  neg,
  readMem,
  skbState,
  u32,
  worldOf,
  writableMem,
  type TunnelInfo,
} from "./support.js";

/** sizeof(struct bpf_tunnel_key) and the older layouts the kernel still accepts. */
const TUNNEL_KEY_SIZE = 44;
const OFF_REMOTE_IPV6_1 = 8;
const OFF_TUNNEL_EXT = 22;
const OFF_TUNNEL_LABEL = 24;
const OFF_LOCAL_IPV6_0 = 28;
const TUNINFO_IPV6 = 1n;
const TUNINFO_FLAGS = K("BPF_F_TUNINFO_FLAGS");
const SET_FLAGS =
  TUNINFO_IPV6 |
  K("BPF_F_ZERO_CSUM_TX") |
  K("BPF_F_DONT_FRAGMENT") |
  K("BPF_F_SEQ_NUMBER") |
  K("BPF_F_NO_TUNNEL_KEY");
/** IP_TUNNEL_OPTS_MAX: 255 rounded down to a multiple of 4. */
const TUNNEL_OPTS_MAX = 252;
const IPV6_FLOWLABEL_MASK = 0x000fffff;
/** LWT_BPF_MAX_HEADROOM. */
const LWT_MAX_HEADROOM = 256;

function isIpv6(t: TunnelInfo): boolean {
  return t.remoteIpv6 !== undefined || t.localIpv6 !== undefined;
}

const getTunnelKey: HelperImpl = (env, _skb, to, size, flags) => {
  const n = u32(size);
  const out = writableMem(env, to, n);
  const info = worldOf(env).rxTunnel;
  const fail = (err: number) => {
    out.fill(0);
    return neg(err);
  };
  if (!info || flags & ~(TUNINFO_IPV6 | TUNINFO_FLAGS)) return fail(E.EINVAL);
  const want6 = (flags & TUNINFO_IPV6) !== 0n;
  if (isIpv6(info) !== want6) return fail(E.EPROTO);
  if (n !== TUNNEL_KEY_SIZE) {
    const compat = [OFF_LOCAL_IPV6_0, OFF_TUNNEL_LABEL, OFF_TUNNEL_EXT].includes(n);
    if (!compat && !(n === OFF_REMOTE_IPV6_1 && !isIpv6(info))) return fail(E.EINVAL);
  }
  const key = new Uint8Array(TUNNEL_KEY_SIZE);
  const v = dv(key);
  v.setUint32(0, info.id >>> 0, true);
  key[20] = info.tos;
  key[21] = info.ttl;
  if (flags & TUNINFO_FLAGS) v.setUint16(22, Number(info.flags & 0xffffn), false);
  if (want6) {
    info.remoteIpv6?.forEach((w, i) => v.setUint32(4 + 4 * i, w >>> 0, true));
    info.localIpv6?.forEach((w, i) => v.setUint32(28 + 4 * i, w >>> 0, true));
    v.setUint32(24, info.label >>> 0, true);
  } else {
    v.setUint32(4, (info.remoteIpv4 ?? 0) >>> 0, true);
    v.setUint32(28, (info.localIpv4 ?? 0) >>> 0, true);
  }
  out.set(key.subarray(0, n));
  return 0n;
};

const setTunnelKey: HelperImpl = (env, _skb, from, size, flags) => {
  if (flags & ~SET_FLAGS) return neg(E.EINVAL);
  const n = u32(size);
  const compat = [OFF_LOCAL_IPV6_0, OFF_TUNNEL_LABEL, OFF_TUNNEL_EXT, OFF_REMOTE_IPV6_1];
  if (n !== TUNNEL_KEY_SIZE && !compat.includes(n)) return neg(E.EINVAL);
  const key = new Uint8Array(TUNNEL_KEY_SIZE);
  key.set(readMem(env, from, n));
  const v = dv(key);
  const ipv6 = (flags & TUNINFO_IPV6) !== 0n;
  const label = v.getUint32(24, true);
  if ((!ipv6 && label !== 0) || v.getUint16(22, true) !== 0) return neg(E.EINVAL);
  const words = (at: number) =>
    [0, 1, 2, 3].map((i) => v.getUint32(at + 4 * i, true)) as [number, number, number, number];
  worldOf(env).txTunnel = {
    id: v.getUint32(0, true),
    tos: key[20]!,
    ttl: key[21]!,
    label: ipv6 ? label & IPV6_FLOWLABEL_MASK : 0,
    flags,
    options: new Uint8Array(0),
    ...(ipv6
      ? { remoteIpv6: words(4), localIpv6: words(28) }
      : { remoteIpv4: v.getUint32(4, true), localIpv4: v.getUint32(28, true) }),
  };
  return 0n;
};

const getTunnelOpt: HelperImpl = (env, _skb, to, size) => {
  const n = u32(size);
  const out = writableMem(env, to, n);
  const info = worldOf(env).rxTunnel;
  if (!info || info.options.length === 0) {
    out.fill(0);
    return neg(E.ENOENT);
  }
  if (n < info.options.length) {
    out.fill(0);
    return neg(E.ENOMEM);
  }
  out.fill(0);
  out.set(info.options);
  return BigInt(info.options.length);
};

const setTunnelOpt: HelperImpl = (env, _skb, from, size) => {
  const n = u32(size);
  const tx = worldOf(env).txTunnel;
  // Only after bpf_skb_set_tunnel_key in this run (the per-CPU metadata dst).
  if (!tx || n & 3) return neg(E.EINVAL);
  if (n > TUNNEL_OPTS_MAX) return neg(E.ENOMEM);
  tx.options = readMem(env, from, n).slice();
  return 0n;
};

/** dst_tclassid: the realm of the route attached to the skb (SIMULATED: world.routeRealm, 0). */
const getRouteRealm: HelperImpl = (env) => BigInt(worldOf(env).routeRealm >>> 0);

/** The net_cls classid of the current task (SIMULATED: world.cgroupClassid, 0). */
const getCgroupClassid: HelperImpl = (env) => BigInt(worldOf(env).cgroupClassid >>> 0);

/**
 * bpf_skb_under_cgroup: whether the skb's socket's cgroup is the cgroup at
 * `index` of the cgroup array or below it. test_run's skb has a full socket
 * made by the test_run caller, so its cgroup is the caller's: world.cgroupId
 * (SIMULATED cgroups, cgroups.ts). -E2BIG past max_entries, -EAGAIN for an
 * empty slot; a slot naming no known cgroup is no ancestor (0).
 */
const skbUnderCgroup: HelperImpl = (env, _skb, mapPtr, index) => {
  const map = env.maps.require(mapPtr, "bpf_skb_under_cgroup");
  if (!(map instanceof CgroupArrayMap)) {
    throw new VmError("helper", `bpf_skb_under_cgroup: ${map.name} is not a cgroup array`);
  }
  const i = u32(index);
  if (i >= map.maxEntries) return neg(E.E2BIG);
  const slot = map.at(i);
  if (slot === undefined) return neg(E.EAGAIN);
  const w = worldOf(env);
  return cgroupChain(w, w.cgroupId)?.includes(BigInt(slot)) ? 1n : 0n;
};

/** ip_fast_csum over an IPv4 header of `ihl` words, as stored (little-endian view). */
function ipHeaderChecksum(hdr: Uint8Array): number {
  return csumFold(csumPartial(hdr, 0));
}

function pushIpEncap(env: RunEnv, hdrPtr: bigint, lenArg: bigint): bigint {
  const len = u32(lenArg);
  if (len < 20 || len > LWT_MAX_HEADROOM) return neg(E.EINVAL);
  const hdr = readMem(env, hdrPtr, len).slice();
  const version = hdr[0]! >> 4;
  if (version === 4) {
    if (len < (hdr[0]! & 15) * 4) return neg(E.EINVAL);
  } else if (version !== 6 || len < 40) {
    return neg(E.EINVAL);
  }
  const p = env.packet;
  const data = movePacket(env, () => {
    p.ensureRoom(len, 0);
    const at = p.data - len;
    p.buf.set(hdr, at);
    p.setBounds({ meta: at, data: at });
    return at;
  });
  skbState(env).encapsulation = true;
  env.ctx.set("hash", 0n);
  if (version === 4) {
    const ip = p.buf.subarray(data, data + (hdr[0]! & 15) * 4);
    const view = dv(ip);
    if (view.getUint16(10, true) === 0) view.setUint16(10, ipHeaderChecksum(ip), true);
    env.ctx.set("protocol", 0x0008n); // htons(ETH_P_IP) as __sk_buff stores it
  } else {
    env.ctx.set("protocol", 0xdd86n); // htons(ETH_P_IPV6)
  }
  return 0n;
}

const lwtPushEncap: HelperImpl = (env, _skb, type, hdr, len) => {
  // lwt_in takes SEG6 types too (not supported here: no seg6 in the seeds' lists).
  if (type !== K("BPF_LWT_ENCAP_IP")) return neg(E.EINVAL);
  return pushIpEncap(env, hdr, len);
};

export const skbHelpers = family({
  bpf_skb_get_tunnel_key: getTunnelKey,
  bpf_skb_set_tunnel_key: setTunnelKey,
  bpf_skb_get_tunnel_opt: getTunnelOpt,
  bpf_skb_set_tunnel_opt: setTunnelOpt,
  bpf_get_route_realm: getRouteRealm,
  bpf_get_cgroup_classid: getCgroupClassid,
  bpf_skb_under_cgroup: skbUnderCgroup,
  bpf_lwt_push_encap: lwtPushEncap,
});
