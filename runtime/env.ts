// The per-run environment a helper implementation receives: the VM, the
// program type, the packet (with the headroom, metadata and tailroom the
// kernel's BPF_PROG_TEST_RUN lays out), the context, the maps, the clock,
// the random source, the printk log, the redirect record and the CPU.
//
// Contract for helper authors (runtime/helpers/*.ts):
// - A helper is `(env, r1, r2, r3, r4, r5) => bigint`, registered by its
//   kernel name (`bpf_map_lookup_elem`); ids come from HELPER_ID. Return
//   -errno as a negative bigint, as the kernel does; the VM wraps it to u64.
// - Read and write program memory only through `env.vm.mem` (read/write/
//   check): those are bounds-checked and throw VmError, which the VM turns
//   into a fault naming the instruction. Throw VmError for anything the
//   verifier would have refused (a non-map pointer where a map is needed...).
// - Packet geometry changes go through `env.packet` (setBounds/ensureRoom):
//   every change re-registers the packet region under a new address, so
//   packet pointers taken before it stop working, as the verifier forces a
//   re-check after any helper that changes packet data.
// - Pointers handed to the program (map values, ring buffer records) come
//   from `env.maps.valuePointer` / `env.expose`: regions registered for one
//   run and dropped when it ends.

import type { BpfMap, CpuContext, RedirectTarget } from "./maps/index.js";
import type { Region, RegionKind } from "./vm/memory.js";
import { VmError, type Pointer, type VmHandle } from "./vm/types.js";

/**
 * Program types the runtime runs, named as the stdlib's CONTEXTS tables name
 * them, plus `socket_filter` (BPF_PROG_TYPE_SOCKET_FILTER, section "socket").
 */
export type ProgType =
  | "xdp"
  | "lwt_in"
  | "lwt_out"
  | "lwt_xmit"
  | "lwt_seg6local"
  | "tc"
  | "cgroup_skb"
  | "socket_filter";

/** True for the program types whose context is `struct __sk_buff`. */
export function isSkbProg(type: ProgType): boolean {
  return type !== "xdp";
}

/**
 * The packet as one buffer, positions counted from its start:
 *
 *   0          meta        data              end          buf.length
 *   | headroom | metadata  | packet data     | tailroom   |
 *
 * The program sees one region covering [meta, end): data_meta, data and
 * data_end are pointers into it, so `data + n > data_end` compares work and
 * anything outside faults. XDP: 256 bytes of headroom (XDP_PACKET_HEADROOM)
 * and a 4096-byte frame whose last `reserved` bytes (skb_shared_info) are
 * never packet. skb programs: no metadata (meta === data).
 */
export interface Packet {
  readonly buf: Uint8Array;
  readonly meta: number;
  readonly data: number;
  readonly end: number;
  /** Bytes at the end of `buf` that data_end may never reach (the kernel's shared-info tail). */
  readonly reserved: number;
  /** The region the program's packet pointers point into. */
  readonly region: Region;
  /** Whether the program may store to packet data (lwt_in/out, cgroup_skb may not). */
  readonly writable: boolean;

  /** A live view of [data, end). */
  bytes(): Uint8Array;
  /** A live view of [meta, data). */
  metadata(): Uint8Array;
  /** The pointer the program sees for buffer position `pos`. */
  pointer(pos: number): Pointer;
  /** The buffer position a packet pointer names, or undefined when it is not one. */
  position(ptr: Pointer): number | undefined;
  /** Room left before meta, and after end (minus `reserved`). */
  headroom(): number;
  tailroom(): number;
  /**
   * Move any of meta/data/end inside the buffer (0 <= meta <= data <= end <=
   * buf.length - reserved, else false and nothing changes). Bytes are not
   * moved or cleared: the helper does that. Re-registers the region.
   */
  setBounds(bounds: { meta?: number; data?: number; end?: number }): boolean;
  /** setBounds with all three given (the per-packet helpers: no object per call). */
  setGeometry(meta: number, data: number, end: number): boolean;
  /**
   * Reallocate (like pskb_expand_head) so at least `head` bytes precede meta
   * and `tail` bytes follow end; contents are kept, positions shift. Only
   * for skb programs; XDP frames have a fixed size.
   */
  ensureRoom(head: number, tail: number): void;
}

/** The context struct as the program sees it. */
export interface Context {
  /** "xdp_md" or "__sk_buff". */
  readonly struct: string;
  /**
   * The region r1 points to at entry. Its bytes hold the stored fields
   * (mark, priority, cb[], ifindex...) at their struct offsets; loads and
   * stores are checked against the program type's access table and
   * translated field by field, as the kernel rewrites context accesses.
   */
  readonly region: Region;
  /**
   * A field as the program would read it in full: packet pointers for
   * data/data_end/data_meta, the packet length for len, the stored value
   * otherwise. `cb[2]` names an array element. Throws on unknown names.
   */
  get(field: string): bigint;
  /** Store a field (helpers that change skb state: bpf_skb_change_proto, bpf_set_hash...). */
  set(field: string, value: bigint): void;
}

/** Maps of the loaded object, as helpers resolve them. */
export interface MapRegistry {
  /** The map a map pointer (from a relocated `lddw`, in r1 of a map helper) names. */
  byPointer(ptr: Pointer): BpfMap | undefined;
  /** Same, throwing a VmError naming the value when it is not a map. */
  require(ptr: Pointer, helper: string): BpfMap;
  byName(name: string): BpfMap | undefined;
  /** The pointer the program holds for a map (what its `lddw` gives). */
  pointerOf(map: BpfMap): Pointer;
  /** Every map by name (global data sections included, named as libbpf names them). */
  all(): ReadonlyMap<string, BpfMap>;
  /**
   * A pointer to a map value (a live view the map returned): the same
   * region for the same view during one run, kind map_value.
   */
  valuePointer(map: BpfMap, value: Uint8Array): Pointer;
  /**
   * The per-packet forms (RegsHelper): the map a pointer given as 32-bit
   * halves names, and valuePointer's region as a slot number.
   * Optional: helpers fall back to byPointer/valuePointer without them.
   */
  mapAt?(hi: number, lo: number): BpfMap | undefined;
  /** valuePointer's region slot (the pointer is REGION_HI + slot << 32, offset 0). */
  valueRegion?(map: BpfMap, value: Uint8Array): number;
}

/** Where the program asked to send the packet (bpf_redirect, bpf_redirect_map...). */
export interface RedirectRecord {
  /** The helper that recorded it. */
  helper: string;
  ifindex?: number;
  flags?: bigint;
  /** For redirect_map: the map target as the map resolved it. */
  target?: RedirectTarget;
}

/** One bpf_tail_call that jumped: the program array slot and the program run. */
export interface TailCallRecord {
  map: string;
  index: number;
  program: string;
}

export interface Clock {
  /** Nanoseconds, as bpf_ktime_get_ns (CLOCK_MONOTONIC) returns them. */
  ns(): bigint;
  /**
   * The same reading as a number when it is a safe integer, else
   * undefined (then ns() is read instead): the per-packet path's form.
   */
  nsNumber?(): number | undefined;
  /**
   * The same reading written as two 32-bit halves into `regs[0]` (low) and
   * `regs[1]` (high), true when done (else nothing written and nsNumber or
   * ns is read): readings past 2^31 are heap numbers in V8, so this is
   * the form that allocates nothing.
   */
  nsInto?(regs: Uint32Array): boolean;
  /** CLOCK_BOOTTIME / CLOCK_TAI offsets from monotonic (default 0). */
  bootOffset?: bigint;
  taiOffset?: bigint;
}

export interface Random {
  /** The next u32 of a seeded generator (bpf_get_prandom_u32). */
  u32(): number;
}

export interface RunEnv {
  readonly vm: VmHandle;
  readonly progType: ProgType;
  /** The program's name (for messages). */
  readonly program: string;
  readonly packet: Packet;
  readonly ctx: Context;
  readonly maps: MapRegistry;
  readonly clock: Clock;
  readonly random: Random;
  /** Lines printk/trace_printk wrote (formatted, without a trailing newline). */
  readonly log: string[];
  /** Set by the redirect helpers; the last call wins, as in the kernel's per-CPU redirect info. */
  redirect: RedirectRecord | undefined;
  /** The CPU this run is on (per-CPU maps read `cpus.current`). */
  readonly cpus: CpuContext;
  /** Tail calls taken in this run (at most 33, MAX_TAIL_CALL_CNT). */
  readonly tailCalls: TailCallRecord[];
  /**
   * Ring buffer and perf output sinks live in their maps (RingBufMap records,
   * PerfEventArrayMap.records): the API reads them back from there.
   */

  /** Register `bytes` for the rest of this run and return its address. */
  expose(kind: RegionKind, bytes: Uint8Array, name: string, readOnly?: boolean): Pointer;
  /**
   * Run another program of the object in place of the current one
   * (bpf_tail_call): on success it does not return to the caller.
   */
  tailCall(programHandle: number, map: string, index: number): never;
}

/**
 * A helper implementation: kernel semantics on the run's environment. One
 * on the per-packet path may also carry `regs`, the same helper reading its
 * arguments from the register file (see RegsHelper and regsHelper in
 * helpers/support.ts): the VM then calls that and makes no BigInt.
 */
export interface HelperImpl {
  (env: RunEnv, r1: bigint, r2: bigint, r3: bigint, r4: bigint, r5: bigint): bigint;
  readonly regs?: RegsHelper;
}

/**
 * A helper reading r1-r5 from the register file: `regs[2n]` and
 * `regs[2n + 1]` are the low and high 32 bits of rN (unsigned). Returns r0
 * as a safe integer (taken modulo 2^64: -errno fits) or a bigint, or
 * undefined after writing r0's halves to regs[0] and regs[1] (a pointer:
 * as a number it would be a heap number, an allocation per call).
 */
export type RegsHelper = (env: RunEnv, regs: Uint32Array) => number | bigint | undefined;

/** Helpers (or kfuncs) by kernel name; one record per family file, merged in helpers/index.ts. */
export type HelperRegistry = Readonly<Record<string, HelperImpl>>;

/** -errno as a helper returns it. */
export function errno(n: number): bigint {
  return BigInt(-Math.abs(n));
}

/** A helper's refusal of its arguments the verifier would have caught: a fault, not a return value. */
export function badArg(helper: string, message: string): never {
  throw new VmError("helper", `${helper}: ${message}`);
}
