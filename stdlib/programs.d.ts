// Program declarators and intrinsics. `export const name = xdp(fn)` declares a program;
// the declarator and its options choose the ELF section (stdlib/tables/sections.json).
// Intrinsics compile to instructions, not calls: byte swaps, address-of, atomics, bounded
// iteration, printk.
import type {
  CgroupSkbContext,
  LwtInContext,
  LwtOutContext,
  LwtSeg6localContext,
  LwtXmitContext,
  TcContext,
  XdpContext,
  XdpDevmapContext,
} from "./generated/types/contexts.js";
import type { XdpAction } from "./generated/types/constants.js";

/** A declared program; its exported name is the ELF symbol. */
export interface Program<C> {
  readonly __program: C;
}

export interface XdpOptions {
  /** Section xdp.frags: loaded with BPF_F_XDP_HAS_FRAGS (multi-buffer packets). */
  frags?: boolean;
  /** Section xdp/cpumap: a program run from a CPUMAP entry. */
  attach?: "cpumap";
}
export interface XdpDevmapOptions {
  frags?: boolean;
  /** Section xdp/devmap: a program run from a DEVMAP entry; ctx.egress_ifindex is readable. */
  attach: "devmap";
}

/** An XDP program (section "xdp"). */
export declare function xdp(fn: (ctx: XdpContext) => XdpAction): Program<XdpContext>;
/** An XDP program run from a DEVMAP entry (section "xdp/devmap" or "xdp.frags/devmap"). */
export declare function xdp(
  options: XdpDevmapOptions,
  fn: (ctx: XdpDevmapContext) => XdpAction,
): Program<XdpDevmapContext>;
/** An XDP program with options (sections "xdp.frags", "xdp/cpumap", "xdp.frags/cpumap"). */
export declare function xdp(
  options: XdpOptions,
  fn: (ctx: XdpContext) => XdpAction,
): Program<XdpContext>;

/** An lwt_xmit program (section "lwt_xmit"); return BPF_OK, BPF_DROP, BPF_REDIRECT, BPF_LWT_REROUTE. */
export declare function lwtXmit(fn: (skb: LwtXmitContext) => i32): Program<LwtXmitContext>;
/** An lwt_in program (section "lwt_in"). */
export declare function lwtIn(fn: (skb: LwtInContext) => i32): Program<LwtInContext>;
/** An lwt_out program (section "lwt_out"). */
export declare function lwtOut(fn: (skb: LwtOutContext) => i32): Program<LwtOutContext>;
/** An lwt_seg6local program (section "lwt_seg6local"). */
export declare function lwtSeg6local(
  fn: (skb: LwtSeg6localContext) => i32,
): Program<LwtSeg6localContext>;
/** A tc direct-action classifier (section "tc"); return TC_ACT_*. */
export declare function tc(fn: (skb: TcContext) => i32): Program<TcContext>;
/** A cgroup_skb program (sections "cgroup_skb/ingress", "cgroup_skb/egress"); return 1 allow, 0 drop. */
export declare function cgroupSkb(
  options: { attach: "ingress" | "egress" },
  fn: (skb: CgroupSkbContext) => i32,
): Program<CgroupSkbContext>;

/** Host to network order, 16 bits (a no-op or a `be16` swap instruction). */
export declare function htons(x: u16): be16;
/** Network to host order, 16 bits. */
export declare function ntohs(x: be16): u16;
/** Host to network order, 32 bits. */
export declare function htonl(x: u32): be32;
/** Network to host order, 32 bits. */
export declare function ntohl(x: be32): u32;
/** Host to network order, 64 bits. */
export declare function htonll(x: u64): be64;
/** Network to host order, 64 bits. */
export declare function ntohll(x: be64): u64;

/** The address of a local, struct field or map value, for the raw helper forms (`&x` in C). */
export declare function addressOf<T>(x: T): Ptr<T>;
/** A zero-filled T on the stack (structs, FixedArray, Bytes, bpf_dynptr storage). */
export declare function zeroed<T>(): T;
/** The byte size of T (C `sizeof`), a compile-time constant. */
export declare function sizeOf<T>(): u32;

/** `lock *(u64 *)p += v`: atomic add; returns the old value (BPF_FETCH). */
export declare function atomicAdd<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic subtract (an add of -v); returns the old value. */
export declare function atomicSub<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic and; returns the old value. */
export declare function atomicAnd<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic or; returns the old value. */
export declare function atomicOr<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic xor; returns the old value. */
export declare function atomicXor<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic exchange (BPF_XCHG); returns the old value. */
export declare function atomicXchg<T extends number>(p: Ptr<T>, v: T): T;
/** Atomic compare-and-exchange (BPF_CMPXCHG): stores v when *p == expected; returns the old value. */
export declare function atomicCmpXchg<T extends number>(p: Ptr<T>, expected: T, v: T): T;

/**
 * A load-time configuration constant in `.rodata` (C `const volatile`): module level only,
 * `const limit: u32 = config(100);`. User space may change it before the object is loaded;
 * the verifier then treats it as a known constant.
 */
export declare function config<T extends number>(initial: T): T;

/** 0..n-1 for `for (const i of range(n))`: an open-coded bpf_iter_num loop when n is not constant. */
export declare function range(n: u32): Iterable<u32>;
/** bpf_trace_printk with a literal format and at most three arguments. */
export declare function bpf_printk(
  fmt: string,
  ...args: [] | [u64] | [u64, u64] | [u64, u64, u64]
): i64;

/** Opaque stack objects of the raw helpers and kfuncs; get storage with zeroed<...>(). */
export type BpfDynptr = Struct<"bpf_dynptr">;
export type BpfTimer = Struct<"bpf_timer">;
export type BpfSpinLock = Struct<"bpf_spin_lock">;
export type BpfIterNum = Struct<"bpf_iter_num">;
