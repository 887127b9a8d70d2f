// The conntrack kfuncs (net/netfilter/nf_conntrack_bpf.c, nf_nat_bpf.c) on
// the object's SIMULATED conntrack table (conntrack-table.ts): lookups and
// allocations with the kernel's argument checks and errors written to
// opts->error (-EINVAL for NULL arguments, a bad opts size, reserved bytes
// or a zone id with the old 12-byte opts, netns_id < -1; -EPROTO for a
// protocol other than TCP/UDP; -EAFNOSUPPORT for a tuple size other than
// IPv4's 12 or IPv6's 36; -ENOENT on a miss), insertion (NULL when the
// tuple clashes), status/timeout changes with nf_ct_change_status_common's
// rules and destination/source NAT set-up that rewrites the reply tuple.
// SIMULATED: no peer network namespaces exist, so netns_id >= 0 is -ENONET;
// NAT never picks another port or address to avoid a clash (the kernel's
// get_unique_tuple may); jiffies come from the run's clock and world.hz.

import type { HelperImpl, RunEnv } from "../env.js";
import { VmError, type Pointer } from "../vm/types.js";
import {
  AF_INET,
  AF_INET6,
  IPS,
  ZONE_DIR_BOTH,
  clashes,
  connOfBytes,
  conntrackOf,
  currentJiffies,
  findEntry,
  newConn,
  readTuple,
  setUse,
  status,
  timeout,
  writeTuple,
  type Conn,
  type RawTuple,
} from "./conntrack-table.js";
import { E, dv, neg, readMem, s32, u32, worldOf, writableMem } from "./support.js";

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const NF_BPF_CT_OPTS_SZ = 16;
const NF_BPF_CT_OPTS_OLD_SZ = 12;
const BPF_F_CURRENT_NETNS = -1;
/** The timeout of a fresh allocation: 10 s (bpf_*_ct_alloc passes 10). */
const ALLOC_TIMEOUT_S = 10;
const INT_MAX = 0x7fffffff;
const IPS_UNCHANGEABLE =
  IPS.SRC_NAT_DONE |
  IPS.DST_NAT_DONE |
  IPS.SRC_NAT |
  IPS.DST_NAT |
  IPS.EXPECTED |
  IPS.CONFIRMED |
  IPS.DYING |
  IPS.SEQ_ADJUST |
  IPS.TEMPLATE |
  IPS.UNTRACKED |
  IPS.OFFLOAD |
  IPS.HW_OFFLOAD;
const NF_NAT_MANIP_SRC = 0;
const NF_NAT_MANIP_DST = 1;
/** NF_DROP from nf_nat_setup_info: bpf_ct_set_nat_info turns it into -ENOMEM. */
const NAT_DROPPED = neg(E.ENOMEM);

/** struct bpf_ct_opts, as far as the program's opts__sz lets the kernel see it. */
interface Opts {
  view: DataView;
  size: number;
}

function opts(env: RunEnv, ptr: Pointer, size: number): Opts | undefined {
  if (ptr === 0n) return undefined;
  // The verifier checked opts__sz bytes; the kernel reads the fields of the size it accepts.
  return { view: dv(writableMem(env, ptr, size)), size };
}

/** bpf_nf_ct_tuple_parse: the tuple of direction `dir` (the reply swaps ends), or -errno. */
function parseTuple(
  env: RunEnv,
  tuplePtr: Pointer,
  tupleSize: number,
  protonum: number,
  dir: number,
): RawTuple | bigint {
  if (protonum !== IPPROTO_TCP && protonum !== IPPROTO_UDP) return neg(E.EPROTO);
  const alen = tupleSize === 12 ? 4 : tupleSize === 36 ? 16 : 0;
  if (!alen) return neg(E.EAFNOSUPPORT);
  const b = readMem(env, tuplePtr, tupleSize);
  const v = dv(b);
  const addr = (at: number) => {
    const a = new Uint8Array(16);
    a.set(b.subarray(at, at + alen));
    return a;
  };
  const saddr = addr(0);
  const daddr = addr(alen);
  const sport = v.getUint16(2 * alen, true);
  const dport = v.getUint16(2 * alen + 2, true);
  const l3num = alen === 4 ? AF_INET : AF_INET6;
  return dir === 0
    ? { l3num, src: saddr, dst: daddr, sport, dport, protonum }
    : { l3num, src: daddr, dst: saddr, sport: dport, dport: sport, protonum };
}

/** The checks lookup and alloc share: opts size, reserved bytes, zone id with old opts. */
function checkOpts(o: Opts): bigint {
  if (o.size !== NF_BPF_CT_OPTS_SZ && o.size !== NF_BPF_CT_OPTS_OLD_SZ) return neg(E.EINVAL);
  if (o.size === NF_BPF_CT_OPTS_SZ) {
    if (o.view.getUint8(13) || o.view.getUint8(14) || o.view.getUint8(15)) return neg(E.EINVAL);
  } else if (o.view.getUint16(10, true)) {
    return neg(E.EINVAL);
  }
  return 0n;
}

/** The zone of the call: opts' zone id and direction (0 becomes both, written back). */
function zoneOf(o: Opts): { id: number; dir: number } {
  if (o.size !== NF_BPF_CT_OPTS_SZ) return { id: 0, dir: ZONE_DIR_BOTH };
  if (o.view.getUint8(12) === 0) o.view.setUint8(12, ZONE_DIR_BOTH);
  return { id: o.view.getUint16(10, true), dir: o.view.getUint8(12) };
}

/** Store the error for the program and return NULL, as the kfuncs do. */
function fail(o: Opts | undefined, err: bigint): bigint {
  if (o) o.view.setInt32(4, Number(err), true);
  return 0n;
}

/** env.expose for a connection: the pointer the program gets (a new one per acquisition). */
function pointerTo(env: RunEnv, c: Conn): Pointer {
  return env.expose("memory", c.bytes, "struct nf_conn (simulated conntrack)");
}

function connAt(env: RunEnv, ptr: Pointer, kfunc: string): Conn {
  const at = env.vm.mem.regionOf(ptr);
  const c = at && at.offset === 0 ? connOfBytes(at.region.bytes) : undefined;
  if (!c) throw new VmError("helper", `${kfunc}: 0x${ptr.toString(16)} is not a struct nf_conn`);
  return c;
}

const lookup: HelperImpl = (env, _ctx, tuplePtr, tupleSize, optsPtr, optsSize) => {
  const o = opts(env, optsPtr, u32(optsSize));
  if (!o || tuplePtr === 0n) return fail(o, neg(E.EINVAL));
  const bad = checkOpts(o);
  if (bad) return fail(o, bad);
  const l4 = o.view.getUint8(8);
  if (l4 !== IPPROTO_TCP && l4 !== IPPROTO_UDP) return fail(o, neg(E.EPROTO));
  const netns = o.view.getInt32(0, true);
  if (netns < BPF_F_CURRENT_NETNS) return fail(o, neg(E.EINVAL));
  const tuple = parseTuple(env, tuplePtr, u32(tupleSize), l4, 0);
  if (typeof tuple === "bigint") return fail(o, tuple);
  if (netns >= 0) return fail(o, neg(E.ENONET));
  const zone = zoneOf(o);
  const hit = findEntry(conntrackOf(env.maps), tuple, zone.id, zone.dir, currentJiffies(env));
  if (!hit) return fail(o, neg(E.ENOENT));
  o.view.setUint8(9, hit.dir);
  return pointerTo(env, hit.conn);
};

const alloc: HelperImpl = (env, _ctx, tuplePtr, tupleSize, optsPtr, optsSize) => {
  const o = opts(env, optsPtr, u32(optsSize));
  if (!o || tuplePtr === 0n) return fail(o, neg(E.EINVAL));
  const bad = checkOpts(o);
  if (bad) return fail(o, bad);
  const netns = o.view.getInt32(0, true);
  if (netns < BPF_F_CURRENT_NETNS) return fail(o, neg(E.EINVAL));
  const l4 = o.view.getUint8(8);
  const orig = parseTuple(env, tuplePtr, u32(tupleSize), l4, 0);
  if (typeof orig === "bigint") return fail(o, orig);
  const reply = parseTuple(env, tuplePtr, u32(tupleSize), l4, 1);
  if (typeof reply === "bigint") return fail(o, reply);
  if (netns >= 0) return fail(o, neg(E.ENONET));
  const zone = zoneOf(o);
  const c = newConn(zone.id, zone.dir, orig, reply);
  timeout.set(c, ALLOC_TIMEOUT_S * worldOf(env).hz);
  return pointerTo(env, c);
};

/** msecs_to_jiffies, capped at INT_MAX as __nf_ct_set_timeout caps it. */
function msToJiffies(env: RunEnv, ms: number): number {
  return Math.min(INT_MAX, Math.ceil((ms * worldOf(env).hz) / 1000));
}

/** __nf_ct_set_timeout: relative before insertion, from now once confirmed. */
function setTimeout(env: RunEnv, c: Conn, jiffies: number): void {
  timeout.set(c, status.get(c) & IPS.CONFIRMED ? currentJiffies(env) + jiffies : jiffies);
}

const insert: HelperImpl = (env, p) => {
  const c = connAt(env, p, "bpf_ct_insert_entry");
  const table = conntrackOf(env.maps);
  const now = currentJiffies(env);
  if (!(status.get(c) & IPS.CONFIRMED)) timeout.set(c, timeout.get(c) + now);
  status.set(c, status.get(c) | IPS.CONFIRMED);
  if (c.inserted || clashes(table, c, now)) return 0n; // -EEXIST: the entry is freed
  c.inserted = true;
  setUse(c, 2); // the table's reference and the program's
  table.push(c);
  return p;
};

/** nf_ct_change_status_common: some bits are fixed, SEEN_REPLY and ASSURED only get set. */
function changeStatus(c: Conn, want: number): bigint {
  const cur = status.get(c);
  const d = cur ^ want;
  if (d & (IPS.EXPECTED | IPS.CONFIRMED | IPS.DYING)) return neg(E.EBUSY);
  if (d & IPS.SEEN_REPLY && !(want & IPS.SEEN_REPLY)) return neg(E.EBUSY);
  if (d & IPS.ASSURED && !(want & IPS.ASSURED)) return neg(E.EBUSY);
  status.set(c, cur | (want & ~IPS_UNCHANGEABLE));
  return 0n;
}

/**
 * nf_nat_setup_info for one manip type with a single address (and port when
 * port > 0): the reply tuple's destination (SNAT) or source (DNAT) becomes
 * the NAT address. A second set-up of the same type is NF_DROP (-ENOMEM).
 */
const setNatInfo: HelperImpl = (env, p, addrPtr, port, manip) => {
  const c = connAt(env, p, "bpf_ct_set_nat_info");
  const orig = readTuple(c.bytes, 0);
  if (orig.l3num !== AF_INET && orig.l3num !== AF_INET6) return neg(E.EINVAL);
  const addr = readMem(env, addrPtr, 16).slice();
  const type = u32(manip);
  const done = type === NF_NAT_MANIP_SRC ? IPS.SRC_NAT_DONE : IPS.DST_NAT_DONE;
  if (status.get(c) & done) return NAT_DROPPED;
  if (type !== NF_NAT_MANIP_SRC && type !== NF_NAT_MANIP_DST) return NAT_DROPPED;
  const reply = readTuple(c.bytes, 1);
  const alen = orig.l3num === AF_INET ? 4 : 16;
  const a = new Uint8Array(16);
  a.set(addr.subarray(0, alen));
  const p16 = s32(port);
  // The port as it sits in memory: cpu_to_be16(port) read back little-endian.
  const portField = p16 > 0 ? ((p16 & 0xff) << 8) | ((p16 >> 8) & 0xff) : undefined;
  const next: RawTuple =
    type === NF_NAT_MANIP_SRC
      ? { ...reply, dst: a, dport: portField ?? reply.dport }
      : { ...reply, src: a, sport: portField ?? reply.sport };
  const changed =
    next.sport !== reply.sport ||
    next.dport !== reply.dport ||
    next.src.some((x, i) => x !== reply.src[i]) ||
    next.dst.some((x, i) => x !== reply.dst[i]);
  writeTuple(c.bytes, 1, next);
  const nat = type === NF_NAT_MANIP_SRC ? IPS.SRC_NAT : IPS.DST_NAT;
  status.set(c, status.get(c) | (changed ? nat : 0) | done);
  return 0n;
};

export const conntrackKfuncs: Record<string, HelperImpl> = {
  bpf_xdp_ct_lookup: lookup,
  bpf_skb_ct_lookup: lookup,
  bpf_xdp_ct_alloc: alloc,
  bpf_skb_ct_alloc: alloc,
  bpf_ct_insert_entry: insert,
  // The program's reference ends; the entry (if inserted) stays in the table.
  bpf_ct_release: (env, p) => (connAt(env, p, "bpf_ct_release"), 0n),
  bpf_ct_set_timeout: (env, p, ms) => {
    setTimeout(env, connAt(env, p, "bpf_ct_set_timeout"), msToJiffies(env, u32(ms)));
    return 0n;
  },
  bpf_ct_change_timeout: (env, p, ms) => {
    const c = connAt(env, p, "bpf_ct_change_timeout");
    if (status.get(c) & IPS.FIXED_TIMEOUT) return neg(E.EPERM);
    setTimeout(env, c, msToJiffies(env, u32(ms)));
    return status.get(c) & IPS.DYING ? neg(E.ETIME) : 0n;
  },
  bpf_ct_set_status: (env, p, s) => changeStatus(connAt(env, p, "bpf_ct_set_status"), u32(s)),
  bpf_ct_change_status: (env, p, s) => changeStatus(connAt(env, p, "bpf_ct_change_status"), u32(s)),
  bpf_ct_set_nat_info: setNatInfo,
};
