// The SIMULATED conntrack table the conntrack kfuncs (conntrack.ts) work on:
// one per loaded object (kept with its map registry, so entries a program
// inserts outlive the run, as the kernel's do), empty at load, filled by the
// program (bpf_ct_insert_entry) or by the user through the API
// (`obj.conntrack.add({...})`). No packet is ever tracked by itself: the
// table only changes through those two doors, and entries whose timeout has
// passed on the run's clock are invisible (as nf_conntrack_find_get skips
// expired ones).
//
// Each entry is a 248-byte struct nf_conn laid out at the offsets of the
// reference kernel's BTF (6.18, x86-64), because programs read it through
// the pointer the kfuncs return (and may write `mark`, the one field the
// verifier lets them write): ct_general.use @0, timeout @8 (jiffies),
// zone @12 {id u16, flags u8, dir u8}, tuplehash[dir] @16 + 56 * dir with
// the tuple at +16 {src.u3 @0, src.u.all @16, src.l3num @18, dst.u3 @20,
// dst.u.all @36, dst.protonum @38, dst.dir @39}, status @128 (u64), mark @168.

import type { RunEnv } from "../env.js";
import { dv, worldOf } from "./support.js";

export const NF_CONN_SIZE = 248;
const OFF_USE = 0;
const OFF_TIMEOUT = 8;
const OFF_ZONE = 12;
const OFF_TUPLEHASH = 16;
const TUPLEHASH_SIZE = 56;
const TUPLE_IN_HASH = 16;
const OFF_STATUS = 128;
const OFF_MARK = 168;

/** enum ip_conntrack_status bits (include/uapi/linux/netfilter/nf_conntrack_common.h). */
export const IPS = {
  EXPECTED: 0x1,
  SEEN_REPLY: 0x2,
  ASSURED: 0x4,
  CONFIRMED: 0x8,
  SRC_NAT: 0x10,
  DST_NAT: 0x20,
  SEQ_ADJUST: 0x40,
  SRC_NAT_DONE: 0x80,
  DST_NAT_DONE: 0x100,
  DYING: 0x200,
  FIXED_TIMEOUT: 0x400,
  TEMPLATE: 0x800,
  UNTRACKED: 0x1000,
  OFFLOAD: 0x8000,
  HW_OFFLOAD: 0x10000,
} as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
/** NF_CT_DEFAULT_ZONE_DIR: the zone applies in both directions. */
export const ZONE_DIR_BOTH = 3;

/** One direction of a connection: addresses as raw 16-byte nf_inet_addr, ports in network order. */
export interface RawTuple {
  l3num: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** The port fields as they sit in memory (big-endian u16 read little-endian). */
  sport: number;
  dport: number;
  protonum: number;
}

/** What the API takes to add an entry (addresses as text, ports as numbers). */
export interface ConntrackEntryInput {
  proto: "tcp" | "udp";
  /** The original direction; IPv4 dotted quads or IPv6 text. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** The reply direction (default: the original one reversed, i.e. no NAT). */
  reply?: { src: string; dst: string; sport: number; dport: number };
  /** enum ip_conntrack_status bits; default IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED. */
  status?: number;
  mark?: number;
  /** Conntrack zone (default 0, both directions). */
  zone?: number;
  zoneDir?: number;
  /** Seconds until the entry expires, from now on the object's clock (default 120). */
  timeoutSeconds?: number;
}

/** An entry as the API shows it. */
export interface ConntrackEntryView {
  original: RawTuple;
  reply: RawTuple;
  status: number;
  mark: number;
  zone: number;
  zoneDir: number;
  /** Absolute expiry in jiffies (world.hz) on the object's clock. */
  timeout: number;
}

/** A struct nf_conn's bytes; `inserted` once it is in the table. */
export interface Conn {
  bytes: Uint8Array;
  inserted: boolean;
}

const tables = new WeakMap<object, Conn[]>();
const byBytes = new WeakMap<Uint8Array, Conn>();

/** The table of the object `maps` belongs to. */
export function conntrackOf(maps: object): Conn[] {
  let t = tables.get(maps);
  if (!t) {
    t = [];
    tables.set(maps, t);
  }
  return t;
}

/** The connection whose bytes a region holds (the program's nf_conn pointer). */
export function connOfBytes(bytes: Uint8Array): Conn | undefined {
  return byBytes.get(bytes);
}

/** nfct_time_stamp: jiffies as a u32, from the run's clock and the world's HZ. */
export function jiffies32(env: Pick<RunEnv, "clock">, hz: number): number {
  return Number(((env.clock.ns() * BigInt(hz)) / 1_000_000_000n) & 0xffffffffn);
}

export function currentJiffies(env: RunEnv): number {
  return jiffies32(env, worldOf(env).hz);
}

export function newConn(zone: number, zoneDir: number, orig: RawTuple, reply: RawTuple): Conn {
  const bytes = new Uint8Array(NF_CONN_SIZE);
  const v = dv(bytes);
  v.setUint32(OFF_USE, 1, true);
  v.setUint16(OFF_ZONE, zone, true);
  bytes[OFF_ZONE + 3] = zoneDir;
  writeTuple(bytes, 0, orig);
  writeTuple(bytes, 1, reply);
  const c = { bytes, inserted: false };
  byBytes.set(bytes, c);
  return c;
}

function tupleAt(dir: number): number {
  return OFF_TUPLEHASH + TUPLEHASH_SIZE * dir + TUPLE_IN_HASH;
}

export function writeTuple(bytes: Uint8Array, dir: number, t: RawTuple): void {
  const at = tupleAt(dir);
  const v = dv(bytes);
  bytes.fill(0, at, at + 40);
  bytes.set(t.src, at);
  v.setUint16(at + 16, t.sport, true);
  v.setUint16(at + 18, t.l3num, true);
  bytes.set(t.dst, at + 20);
  v.setUint16(at + 36, t.dport, true);
  bytes[at + 38] = t.protonum;
  bytes[at + 39] = dir;
}

export function readTuple(bytes: Uint8Array, dir: number): RawTuple {
  const at = tupleAt(dir);
  const v = dv(bytes);
  return {
    src: bytes.slice(at, at + 16),
    sport: v.getUint16(at + 16, true),
    l3num: v.getUint16(at + 18, true),
    dst: bytes.slice(at + 20, at + 36),
    dport: v.getUint16(at + 36, true),
    protonum: bytes[at + 38]!,
  };
}

export const status = {
  get: (c: Conn) => Number(dv(c.bytes).getBigUint64(OFF_STATUS, true) & 0xffffffffn),
  set: (c: Conn, s: number) => dv(c.bytes).setBigUint64(OFF_STATUS, BigInt(s >>> 0), true),
};

export const timeout = {
  get: (c: Conn) => dv(c.bytes).getUint32(OFF_TIMEOUT, true),
  set: (c: Conn, t: number) => dv(c.bytes).setUint32(OFF_TIMEOUT, t >>> 0, true),
};

export function setUse(c: Conn, n: number): void {
  dv(c.bytes).setUint32(OFF_USE, n, true);
}

/** nf_ct_zone_id(zone, dir): the zone id where the zone applies in `dir`, else the default 0. */
function zoneIdIn(id: number, zoneDir: number, dir: number): number {
  return zoneDir & (1 << dir) ? id : 0;
}

function sameTuple(a: RawTuple, b: RawTuple): boolean {
  return (
    a.l3num === b.l3num &&
    a.protonum === b.protonum &&
    a.sport === b.sport &&
    a.dport === b.dport &&
    a.src.every((x, i) => x === b.src[i]) &&
    a.dst.every((x, i) => x === b.dst[i])
  );
}

/** nf_ct_is_expired: the u32 jiffies difference, signed. */
export function expired(c: Conn, now: number): boolean {
  return ((timeout.get(c) - now) | 0) <= 0;
}

/**
 * nf_conntrack_find_get: the live entry with `tuple` in either direction,
 * in the zone, and the direction it matched.
 */
export function findEntry(
  table: Conn[],
  tuple: RawTuple,
  zone: number,
  zoneDir: number,
  now: number,
): { conn: Conn; dir: number } | undefined {
  for (const conn of table) {
    if (expired(conn, now)) continue;
    const v = dv(conn.bytes);
    const id = v.getUint16(OFF_ZONE, true);
    const dirs = conn.bytes[OFF_ZONE + 3]!;
    for (const dir of [0, 1]) {
      if (zoneIdIn(id, dirs, dir) !== zoneIdIn(zone, zoneDir, dir)) continue;
      if (sameTuple(readTuple(conn.bytes, dir), tuple)) return { conn, dir };
    }
  }
  return undefined;
}

/** Whether a new entry clashes with a live one (nf_conntrack_hash_check_insert's -EEXIST). */
export function clashes(table: Conn[], c: Conn, now: number): boolean {
  const id = dv(c.bytes).getUint16(OFF_ZONE, true);
  const dirs = c.bytes[OFF_ZONE + 3]!;
  return [0, 1].some((dir) => {
    const hit = findEntry(table, readTuple(c.bytes, dir), id, dirs, now);
    return hit !== undefined;
  });
}

/** A view of an entry for the API. */
export function viewOf(c: Conn): ConntrackEntryView {
  const v = dv(c.bytes);
  return {
    original: readTuple(c.bytes, 0),
    reply: readTuple(c.bytes, 1),
    status: status.get(c),
    mark: v.getUint32(OFF_MARK, true),
    zone: v.getUint16(OFF_ZONE, true),
    zoneDir: c.bytes[OFF_ZONE + 3]!,
    timeout: timeout.get(c),
  };
}

export function setMark(c: Conn, mark: number): void {
  dv(c.bytes).setUint32(OFF_MARK, mark >>> 0, true);
}

/** The API's handle on an object's table (TsbpfObject.conntrack). */
export interface ConntrackHandle {
  /** Add an entry as if the kernel had confirmed it; false when it clashes with a live one. */
  add(entry: ConntrackEntryInput): boolean;
  /** The live entries (expired ones are left out). */
  entries(): ConntrackEntryView[];
  /** Remove every entry. */
  clear(): void;
}

const PROTO = { tcp: 6, udp: 17 } as const;

function tupleOf(
  proto: number,
  t: { src: string; dst: string; sport: number; dport: number },
  parse: (ip: string) => Uint8Array,
): RawTuple {
  const src = parse(t.src);
  const dst = parse(t.dst);
  const pad = (a: Uint8Array) => {
    const out = new Uint8Array(16);
    out.set(a);
    return out;
  };
  const be = (port: number) => ((port & 0xff) << 8) | ((port >> 8) & 0xff);
  return {
    l3num: src.length === 4 ? AF_INET : AF_INET6,
    src: pad(src),
    dst: pad(dst),
    sport: be(t.sport),
    dport: be(t.dport),
    protonum: proto,
  };
}

/**
 * A handle on the table of `maps`, with the object's clock; `hz` is the
 * world's CONFIG_HZ (jiffies per second) and `parse` the address parser.
 */
export function conntrackHandle(
  maps: object,
  clock: Pick<RunEnv, "clock">,
  hz: () => number,
  parse: (ip: string) => Uint8Array,
): ConntrackHandle {
  const table = conntrackOf(maps);
  const now = () => jiffies32(clock, hz());
  return {
    add(e) {
      const proto = PROTO[e.proto];
      const orig = tupleOf(proto, e, parse);
      const r = e.reply ?? { src: e.dst, dst: e.src, sport: e.dport, dport: e.sport };
      const c = newConn(e.zone ?? 0, e.zoneDir ?? ZONE_DIR_BOTH, orig, tupleOf(proto, r, parse));
      status.set(c, (e.status ?? IPS.SEEN_REPLY | IPS.ASSURED) | IPS.CONFIRMED);
      setMark(c, e.mark ?? 0);
      timeout.set(c, now() + Math.round((e.timeoutSeconds ?? 120) * hz()));
      if (clashes(table, c, now())) return false;
      c.inserted = true;
      table.push(c);
      return true;
    },
    entries: () => table.filter((c) => !expired(c, now())).map(viewOf),
    clear: () => void table.splice(0),
  };
}
