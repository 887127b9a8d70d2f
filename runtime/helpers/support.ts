// Shared plumbing for the helper families: errno values, flag constants from
// the stdlib tables, memory access that tolerates the (NULL, 0) pairs the
// kernel's ARG_CONST_SIZE_OR_ZERO allows, and the simulated world a run may
// carry beyond runtime/env.ts (FIB table, tunnel metadata, MTUs, cgroup
// and task identities). env.ts has no slot for those, so a world is attached
// to a RunEnv (or to its MapRegistry, which lives as long as the loaded
// object) with `attachWorld`; without one every helper uses the documented
// defaults of DEFAULT_WORLD.

import { CONSTANTS } from "../../stdlib/generated/data/constants.js";
import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import { Errno } from "../maps/constants.js";
import type { HelperImpl, HelperRegistry, RegsHelper, RunEnv } from "../env.js";
import { REGION_HI } from "../vm/memory.js";
import { VmError, type Pointer } from "../vm/types.js";
import type { BpfMap } from "../maps/index.js";

/** The errno values helpers return (negated): the maps' table plus the few it lacks. */
export const E = {
  ...Errno,
  EACCES: 13,
  EDEADLK: 35,
  ETIME: 62,
  ENONET: 64,
  EPROTO: 71,
  EAFNOSUPPORT: 97,
} as const;

/** -errno as a bigint return value. */
export function neg(n: number): bigint {
  return BigInt(-n);
}

/** A flag or enum value from the stdlib's CONSTANTS table (throws if the table lacks it). */
export function K(name: string): bigint {
  const c = CONSTANTS[name];
  if (!c) throw new Error(`CONSTANTS has no ${name}`);
  return BigInt(c.value);
}

/** `len` bytes at `ptr` as a live view; a zero length never touches memory (NULL allowed). */
export function readMem(env: RunEnv, ptr: Pointer, len: number): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  return env.vm.mem.read(ptr, len);
}

/** Checks `len` writable bytes at `ptr` and returns the live view. */
export function writableMem(env: RunEnv, ptr: Pointer, len: number): Uint8Array {
  if (len === 0) return new Uint8Array(0);
  const { region, offset } = env.vm.mem.check(ptr, len, true);
  return region.bytes.subarray(offset, offset + len);
}

export function writeMem(env: RunEnv, ptr: Pointer, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  env.vm.mem.write(ptr, bytes);
}

/** A NUL-terminated string of at most `max` bytes at `ptr` (without the NUL); undefined when unterminated. */
export function cString(env: RunEnv, ptr: Pointer, max: number): string | undefined {
  const at = env.vm.mem.regionOf(ptr);
  if (!at) throw new VmError("memory", `string at unmapped address 0x${ptr.toString(16)}`);
  const { region, offset } = at;
  const limit = Math.min(region.bytes.length, offset + max);
  let s = "";
  for (let i = offset; i < limit; i++) {
    const c = region.bytes[i]!;
    if (c === 0) return s;
    s += String.fromCharCode(c);
  }
  return undefined;
}

/** Low 32 bits of a register as unsigned / signed numbers. */
export const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
export const s32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
export const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);

export function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A helper written once against the register file (RegsHelper), usable both
 * ways: the VM calls `regs` on the per-packet path (no BigInt), and the
 * returned function takes BigInt arguments as every HelperImpl does (tests,
 * other helpers).
 */
export function regsHelper(fast: RegsHelper): HelperImpl {
  const impl = (env: RunEnv, ...args: bigint[]): bigint => {
    // A fresh register file per call: a callback may call the same helper.
    const regs = new Uint32Array(12);
    for (let n = 1; n <= 5; n++) {
      const v = BigInt.asUintN(64, args[n - 1] ?? 0n);
      regs[2 * n] = Number(v & 0xffffffffn);
      regs[2 * n + 1] = Number(v >> 32n);
    }
    const r = fast(env, regs);
    if (r === undefined) return regBig(regs, 0);
    return typeof r === "bigint" ? r : BigInt(r);
  };
  return Object.assign(impl, { regs: fast });
}

// Local copies: under tsx and vitest an imported binding is a getter call per read.
const REGION_HI_ = REGION_HI;

/** rN of a RegsHelper's register file as a BigInt (messages and fallbacks only). */
export function regBig(regs: Uint32Array, n: number): bigint {
  return (BigInt(regs[2 * n + 1]!) << 32n) | BigInt(regs[2 * n]!);
}

/** rN as a number when it is below 2^53 (pointers are), else NaN. */
export function regNumber(regs: Uint32Array, n: number): number {
  const hi = regs[2 * n + 1]!;
  return hi < 0x200000 ? hi * 4294967296 + regs[2 * n]! : NaN;
}

/** The map rN points to (RegsHelper form of MapRegistry.require, same fault). */
export function mapArg(env: RunEnv, regs: Uint32Array, n: number, helper: string): BpfMap {
  const maps = env.maps;
  const map = maps.mapAt
    ? maps.mapAt(regs[2 * n + 1]!, regs[2 * n]!)
    : maps.byPointer(regBig(regs, n));
  if (map === undefined) return maps.require(regBig(regs, n), helper);
  return map;
}

/** Per size, the buffer keyArg copies keys into (reused: a map never keeps a lookup's key). */
const KEY_SCRATCH: Uint8Array[] = [];

/**
 * The `len` bytes rN points to, copied into a scratch buffer reused by the
 * next call: for map lookups and deletes, which keep no reference to their
 * key. Faults as mem.read does when the bytes are not readable.
 */
export function keyArg(env: RunEnv, regs: Uint32Array, n: number, len: number): Uint8Array {
  const mem = env.vm.mem;
  const slot = regs[2 * n + 1]! - REGION_HI_;
  const offset = regs[2 * n]!;
  const region = slot >= 0 ? mem.regions[slot] : undefined;
  const out = (KEY_SCRATCH[len] ??= new Uint8Array(len));
  if (region === undefined || offset + len > region.bytes.length) {
    out.set(mem.read(regBig(regs, n), len)); // throws the access's fault
    return out;
  }
  const bytes = region.bytes;
  for (let i = 0; i < len; i++) out[i] = bytes[offset + i]!;
  return out;
}

/**
 * r0 = a pointer to a map value (MapRegistry.valueRegion when the registry
 * has it: its halves written to regs, nothing allocated), as a RegsHelper
 * returns it.
 */
export function returnValuePointer(
  env: RunEnv,
  regs: Uint32Array,
  map: BpfMap,
  value: Uint8Array,
): bigint | undefined {
  const maps = env.maps;
  if (!maps.valueRegion) return maps.valuePointer(map, value);
  regs[0] = 0;
  regs[1] = REGION_HI_ + maps.valueRegion(map, value);
  return undefined;
}

/** A helper the runtime does not implement: calling it is a clear fault, never a crash. */
export function notImplemented(name: string, why = ""): HelperImpl {
  return () => {
    throw new VmError(
      "call",
      `helper ${name} is not implemented by the tsbpf runtime${why ? ` (${why})` : ""}`,
    );
  };
}

/** One FIB entry the user supplies: a prefix, and where it leads. */
export interface FibRoute {
  family: 4 | 6;
  /** Destination prefix, dotted quad or IPv6 text ("10.0.0.0", "2001:db8::"). */
  dst: string;
  prefixLen: number;
  /** Output interface. */
  ifindex: number;
  /** Next hop (absent: directly connected, the destination is the neighbour). */
  gateway?: string;
  /** Route type: unicast (default), blackhole, unreachable, prohibit. */
  type?: "unicast" | "blackhole" | "unreachable" | "prohibit";
  /** Route MTU (0: the device's). */
  mtu?: number;
  /** Routing table id (BPF_FIB_LOOKUP_TBID); default main (254). */
  table?: number;
}

export interface FibNeighbour {
  /** The next hop's address. */
  ip: string;
  mac: string;
}

export interface FibDevice {
  ifindex: number;
  mac: string;
  mtu: number;
  /** Source address for BPF_FIB_LOOKUP_SRC. */
  ipv4?: string;
  ipv6?: string;
  /** net.ipv4.conf.X.forwarding / ipv6 forwarding (default true). */
  forwarding?: boolean;
}

/** Tunnel metadata as bpf_skb_get_tunnel_key sees it (a collect_md device). */
export interface TunnelInfo {
  id: number;
  /** IPv4 as a host-order u32, or IPv6 as four host-order u32s. */
  remoteIpv4?: number;
  remoteIpv6?: [number, number, number, number];
  localIpv4?: number;
  localIpv6?: [number, number, number, number];
  tos: number;
  ttl: number;
  label: number;
  flags: bigint;
  options: Uint8Array;
}

/** One simulated cgroup (cgroups.ts): its id (the kernfs inode, `stat -c %i`) and its parent's. */
export interface CgroupEntry {
  id: bigint;
  /** Parent id; absent: the root (id 1). */
  parent?: bigint;
}

/** What a run knows about the world outside the program. */
export interface HelperWorld {
  fib: { routes: FibRoute[]; neighbours: FibNeighbour[]; devices: FibDevice[] };
  /** MTU per ifindex for bpf_check_mtu (default 1500; the loopback 65536). */
  mtu: Map<number, number>;
  /** Tunnel metadata of the received packet (undefined: none, get_tunnel_key fails). */
  rxTunnel: TunnelInfo | undefined;
  /** What the program set with bpf_skb_set_tunnel_key/opt (read back by tests). */
  txTunnel: TunnelInfo | undefined;
  /** skb->dst route realm (bpf_get_route_realm), net_cls classid, cgroup ids. */
  routeRealm: number;
  cgroupClassid: number;
  cgroupId: bigint;
  /**
   * The cgroups that exist besides the root (id 1) and cgroupId (a child of the root unless
   * listed): bpf_cgroup_from_id finds these, cgroup storage hangs off them (cgroups.ts).
   */
  cgroups: CgroupEntry[];
  /**
   * The kernel BTF bpf_snprintf_btf's type ids refer to (a raw BTF file, as
   * /sys/kernel/btf/vmlinux); null: none, the helper gives -EINVAL.
   */
  kernelBtf: string | null;
  /** Ancestor cgroup ids, root first (bpf_get_current_ancestor_cgroup_id). */
  cgroupAncestors: bigint[];
  /** bpf_get_current_pid_tgid: tgid << 32 | pid. */
  pid: number;
  tgid: number;
  /** The NUMA node of every CPU. */
  numaNode: number;
  /**
   * CONFIG_HZ for bpf_jiffies64 (jiffies = ns * HZ / 1e9; the kernel's INITIAL_JIFFIES
   * offset and boot time are not modelled). Default 250, the reference kernel's
   * (6.18, /boot/config-*: CONFIG_HZ=250; the common distribution value too).
   */
  hz: number;
}

/** Defaults: what BPF_PROG_TEST_RUN on a plain machine gives where it matters. */
export function defaultWorld(): HelperWorld {
  return {
    fib: { routes: [], neighbours: [], devices: [] },
    mtu: new Map([[1, 65536]]),
    rxTunnel: undefined,
    txTunnel: undefined,
    routeRealm: 0,
    cgroupClassid: 0,
    cgroupId: 1n,
    cgroups: [],
    kernelBtf: "/sys/kernel/btf/vmlinux",
    cgroupAncestors: [1n],
    pid: 0,
    tgid: 0,
    numaNode: 0,
    hz: 250,
  };
}

const worlds = new WeakMap<object, HelperWorld>();

/** Attach a world to a run (or to its MapRegistry, to share it across the runs of an object). */
export function attachWorld(owner: RunEnv | RunEnv["maps"], world: Partial<HelperWorld>): void {
  worlds.set(owner, { ...defaultWorld(), ...world });
}

/** The world of a run: its own, its maps', or a fresh default one kept for the run. */
export function worldOf(env: RunEnv): HelperWorld {
  let w = worlds.get(env) ?? worlds.get(env.maps);
  if (!w) {
    w = defaultWorld();
    worlds.set(env, w);
  }
  return w;
}

/**
 * Per-run scratch state of a helper family (dynptr ids, locks held...).
 * `init` is best a module-level function: an arrow written at the call is a
 * new closure per call, and some of these are asked for on every packet.
 */
export function runState<T>(key: WeakMap<RunEnv, T>, env: RunEnv, init: (env: RunEnv) => T): T {
  let s = key.get(env);
  if (s === undefined) {
    s = init(env);
    key.set(env, s);
  }
  return s;
}

/**
 * Socket-buffer state the kernel keeps outside __sk_buff and helpers change:
 * checksum status (test_run's skbs are CHECKSUM_NONE), the hash valid bits,
 * encapsulation (set by bpf_lwt_push_encap), and clones sent by
 * bpf_clone_redirect.
 */
export interface SkbState {
  /** CHECKSUM_NONE 0, UNNECESSARY 1, COMPLETE 2, PARTIAL 3. */
  ipSummed: number;
  csumLevel: number;
  csum: number;
  encapsulation: boolean;
  clones: { ifindex: number; flags: bigint; packet: Uint8Array }[];
}

const skbStates = new WeakMap<RunEnv, SkbState>();

export function skbState(env: RunEnv): SkbState {
  return runState(skbStates, env, newSkbState);
}

function newSkbState(): SkbState {
  return { ipSummed: 0, csumLevel: 0, csum: 0, encapsulation: false, clones: [] };
}

/** Whether an interface exists in the run's world (dev_get_by_index). */
export function deviceMtu(env: RunEnv, ifindex: number): number | undefined {
  const w = worldOf(env);
  const dev = w.fib.devices.find((d) => d.ifindex === ifindex);
  return dev?.mtu ?? w.mtu.get(ifindex);
}

const PROBED = new Set(["xdp", "lwt_in", "lwt_out", "lwt_xmit", "tc", "cgroup_skb"]);
const OFFERS = new Map<string, ReadonlySet<string>>(
  HELPERS.map((h) => [h.name, new Set<string>(h.kernelOffers)]),
);

/**
 * A family's registry with the verifier's first check added: a helper the
 * reference kernel does not offer to the program type (probed into the
 * stdlib's HELPERS.kernelOffers) is a fault, as the load would have failed.
 * Names absent from HELPERS (kfuncs) are not checked here.
 */
export function family(impls: Record<string, HelperImpl>): HelperRegistry {
  const out: Record<string, HelperImpl> = {};
  for (const [name, impl] of Object.entries(impls)) {
    const offers = OFFERS.get(name);
    if (!offers) {
      out[name] = impl;
      continue;
    }
    const check = (env: RunEnv) => {
      if (PROBED.has(env.progType) && !offers.has(env.progType)) {
        throw new VmError(
          "call",
          `${name} is not available to ${env.progType} programs (the verifier refuses it)`,
        );
      }
    };
    const checked: HelperImpl = (env, r1, r2, r3, r4, r5) => {
      check(env);
      return impl(env, r1, r2, r3, r4, r5);
    };
    const fast = impl.regs;
    out[name] = !fast
      ? checked
      : Object.assign(checked, {
          regs: (env: RunEnv, regs: Uint32Array) => {
            check(env);
            return fast(env, regs);
          },
        });
  }
  return out;
}
