// bpf_fib_lookup against a user-supplied FIB (HelperWorld.fib: routes,
// neighbours, devices), following net/core/filter.c's bpf_ipv4_fib_lookup /
// bpf_ipv6_fib_lookup: argument checks, device and forwarding checks,
// longest-prefix match in the chosen table, route types mapped to the
// BPF_FIB_LKUP_RET_* codes, the MTU check (XDP always checks), the gateway
// rewrite, the neighbour lookup and the output fields (ifindex, rt_metric,
// smac/dmac, mtu_result, vlan cleared). struct bpf_fib_lookup is 64 bytes:
// family@0 l4_protocol@1 sport@2 dport@4 tot_len/mtu_result@6 ifindex@8
// tos/flowinfo/rt_metric@12 src@16 dst@32 vlan/tbid@48 smac@52 dmac@58.

import type { HelperImpl, RunEnv } from "../env.js";
import { E, K, dv, family, neg, s32, u32, worldOf, writableMem, type FibRoute } from "./support.js";

const FIB_SIZE = 64;
const AF_INET = 2;
const AF_INET6 = 10;
/** DIRECT | OUTPUT | SKIP_NEIGH | TBID | SRC | MARK (1 << 5, Linux 6.10+). */
const LOOKUP_MASK = 0x3fn;
const DIRECT = K("BPF_FIB_LOOKUP_DIRECT");
const TBID = K("BPF_FIB_LOOKUP_TBID");
const SKIP_NEIGH = K("BPF_FIB_LOOKUP_SKIP_NEIGH");
const SRC = K("BPF_FIB_LOOKUP_SRC");
const RT_TABLE_MAIN = 254;
const RET = {
  SUCCESS: 0n,
  BLACKHOLE: 1n,
  UNREACHABLE: 2n,
  PROHIBIT: 3n,
  NOT_FWDED: 4n,
  FWD_DISABLED: 5n,
  NO_NEIGH: 7n,
  FRAG_NEEDED: 8n,
  NO_SRC_ADDR: 9n,
};

/** An address as network-order bytes. */
export function parseIp(text: string): Uint8Array {
  if (text.includes(".")) return Uint8Array.from(text.split(".").map(Number));
  const [head, tail] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => dv(out).setUint16(2 * i, parseInt(g || "0", 16)));
  return out;
}

export function parseMac(text: string): Uint8Array {
  return Uint8Array.from(text.split(":").map((x) => parseInt(x, 16)));
}

function prefixMatch(addr: Uint8Array, prefix: Uint8Array, len: number): boolean {
  for (let bit = 0; bit < len; bit++) {
    const m = 0x80 >> (bit % 8);
    if ((addr[bit >> 3]! & m) !== (prefix[bit >> 3]! & m)) return false;
  }
  return true;
}

function longestMatch(routes: FibRoute[], fam: 4 | 6, table: number, dst: Uint8Array) {
  let best: FibRoute | undefined;
  for (const r of routes) {
    if (r.family !== fam || (r.table ?? RT_TABLE_MAIN) !== table) continue;
    if (!prefixMatch(dst, parseIp(r.dst), r.prefixLen)) continue;
    if (!best || r.prefixLen > best.prefixLen) best = r;
  }
  return best;
}

function sameIp(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function lookup(env: RunEnv, p: Uint8Array, flags: bigint, fam: 4 | 6): bigint {
  const w = worldOf(env).fib;
  const v = dv(p);
  const alen = fam === 4 ? 4 : 16;
  const inDev = w.devices.find((d) => d.ifindex === v.getUint32(8, true));
  if (!inDev) return neg(E.ENODEV);
  if (inDev.forwarding === false) return RET.FWD_DISABLED;
  // Without DIRECT the kernel applies FIB rules first; the simulated FIB has
  // only tables, so both paths look in main (or in tbid with DIRECT|TBID).
  const table = flags & DIRECT && flags & TBID ? v.getUint32(48, true) : RT_TABLE_MAIN;
  if (flags & DIRECT && flags & TBID && !w.routes.some((r) => (r.table ?? 254) === table)) {
    return RET.NOT_FWDED;
  }
  const dst = p.slice(32, 32 + alen);
  const route = longestMatch(w.routes, fam, table, dst);
  if (!route) return RET.NOT_FWDED;
  switch (route.type ?? "unicast") {
    case "blackhole":
      return RET.BLACKHOLE;
    case "unreachable":
      return RET.UNREACHABLE;
    case "prohibit":
      return RET.PROHIBIT;
  }
  const outDev = w.devices.find((d) => d.ifindex === route.ifindex);
  if (!outDev) return RET.NOT_FWDED;
  // XDP always checks tot_len against the route's or device's MTU; tc when tot_len is set.
  const mtu = route.mtu || outDev.mtu;
  const totLen = v.getUint16(6, true);
  if ((env.progType === "xdp" || totLen !== 0) && totLen > mtu) {
    v.setUint16(6, mtu, true);
    return RET.FRAG_NEEDED;
  }
  v.setUint32(12, 0, true); // rt_metric: fib_priority (0 for the simulated routes)
  v.setUint32(8, outDev.ifindex, true);
  if (flags & SRC) {
    const src = fam === 4 ? outDev.ipv4 : outDev.ipv6;
    if (!src) return RET.NO_SRC_ADDR;
    p.set(parseIp(src), 16);
  }
  let nextHop: Uint8Array = dst;
  if (route.gateway) {
    nextHop = parseIp(route.gateway);
    p.set(nextHop, 32);
  }
  if (!(flags & SKIP_NEIGH)) {
    const n = w.neighbours.find((x) => sameIp(parseIp(x.ip), nextHop));
    if (!n) return RET.NO_NEIGH;
    p.set(parseMac(n.mac), 58);
    p.set(parseMac(outDev.mac), 52);
  }
  v.setUint32(48, 0, true); // h_vlan_proto, h_vlan_TCI
  v.setUint16(6, mtu, true);
  return RET.SUCCESS;
}

const fibLookup: HelperImpl = (env, _ctx, params, plen, flags) => {
  if (s32(plen) < FIB_SIZE) return neg(E.EINVAL);
  if (flags & ~LOOKUP_MASK) return neg(E.EINVAL);
  const p = writableMem(env, params, Math.min(u32(plen), FIB_SIZE));
  switch (p[0]) {
    case AF_INET:
      return lookup(env, p, flags, 4);
    case AF_INET6:
      return lookup(env, p, flags, 6);
  }
  return neg(E.EAFNOSUPPORT);
};

export const fibHelpers = family({ bpf_fib_lookup: fibLookup });
