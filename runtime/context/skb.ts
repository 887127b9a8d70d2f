// The socket-buffer context of one run as BPF_PROG_TEST_RUN builds it
// (net/bpf/test_run.c, bpf_prog_test_run_skb): the input frame after
// NET_SKB_PAD (64) bytes of headroom in a kmalloc'd buffer whose slab size
// sets the tailroom; eth_type_trans on the loopback device sets protocol and
// pkt_type and pulls the Ethernet header, which tc (L2) pushes back, so LWT,
// cgroup_skb and socket filters see data from the IP header and skb->len
// excludes those 14 bytes. data_out is the packet from skb->data, and for
// non-L2 types with a zeroed 14-byte Ethernet header pushed in front.

import { CONTEXT_STRUCTS } from "../../stdlib/generated/data/contexts.js";
import type { ProgType } from "../env.js";
import type { Memory } from "../vm/memory.js";
import { PacketBuffer } from "./packet.js";
import { ContextStruct, type Access } from "./struct.js";
import { ETH_HLEN, SKB_SHARED_INFO_SIZE } from "./xdp.js";

/** NET_SKB_PAD + NET_IP_ALIGN on x86-64. */
export const SKB_HEADROOM = 64;

/** ctx_in fields convert___skb_to_skb accepts (everything else must be zero). */
const CTX_IN_FIELDS = new Set([
  "mark",
  "priority",
  "ingress_ifindex",
  "ifindex",
  "cb",
  "tstamp",
  "wire_len",
  "gso_segs",
  "gso_size",
  "hwtstamp",
]);

/** Types whose programs may write packet data directly (may_access_direct_pkt_data). */
const WRITABLE: ReadonlySet<ProgType> = new Set(["tc", "lwt_xmit"]);

/**
 * Socket filters are not in the stdlib's CONTEXTS (no seed lists them):
 * sk_filter_is_valid_access refuses these fields and lets only cb[] be
 * written; every other __sk_buff field is readable.
 */
const SOCKET_FILTER_DENIED = new Set([
  "tc_classid",
  "data",
  "data_meta",
  "data_end",
  "family",
  "remote_ip4",
  "local_ip4",
  "remote_ip6",
  "local_ip6",
  "remote_port",
  "local_port",
  "tstamp",
  "wire_len",
  "hwtstamp",
  "flow_keys",
  "tstamp_type",
]);

export function socketFilterAccess(): Access {
  const access: Record<string, "r" | "rw"> = {};
  for (const f of CONTEXT_STRUCTS.__sk_buff!.fields) {
    if (!SOCKET_FILTER_DENIED.has(f.name)) access[f.name] = f.name === "cb" ? "rw" : "r";
  }
  return access;
}

/** kmalloc's size classes: what ksize() gives for a request (slab buckets, then pages). */
export function kmallocSize(n: number): number {
  if (n <= 8) return 8;
  if (n > 64 && n <= 96) return 96;
  if (n > 128 && n <= 192) return 192;
  if (n > 8192) return Math.ceil(n / 4096) * 4096;
  return 2 ** Math.ceil(Math.log2(n));
}

export interface SkbInput {
  frame: Uint8Array;
  ctx: Readonly<Record<string, number | bigint>>;
  access: Access;
  progType: ProgType;
  loopbackIfindex: number;
  /** tc: metadata placed just before data (skb_metadata_set), as XDP leaves it. */
  metadata?: Uint8Array;
}

export interface SkbRun {
  packet: PacketBuffer;
  ctx: ContextStruct;
  /** L2 programs (tc) see and return the Ethernet header. */
  l2: boolean;
}

/** eth_type_trans on loopback (dev_addr and broadcast all zero): skb->pkt_type. */
function pktType(dst: Uint8Array): number {
  if (dst.every((b) => b === 0)) return 0; // PACKET_HOST
  if (dst[0]! & 1) return 2; // PACKET_MULTICAST (lo's broadcast address is zero)
  return 3; // PACKET_OTHERHOST
}

/** eth_type_trans: skb->protocol (big-endian u16 as stored). */
function protocol(frame: Uint8Array): number {
  const proto = (frame[12]! << 8) | frame[13]!;
  if (proto >= 0x600) return proto;
  if (frame[14] === 0xff && frame[15] === 0xff) return 0x0001; // ETH_P_802_3
  return 0x0004; // ETH_P_802_2
}

/**
 * Validates the input as test_run does; returns an error message or the run
 * state. With `reuse` (an ended run of the same program), its buffer, packet
 * and context are refilled and returned when the buffer has the size this
 * input needs.
 */
export function createSkbRun(mem: Memory, input: SkbInput, reuse?: SkbRun): SkbRun | string {
  const { frame } = input;
  if (frame.length < ETH_HLEN) {
    return `packet of ${frame.length} bytes: test_run needs at least ${ETH_HLEN}`;
  }
  if (frame.length > 4096 - SKB_HEADROOM - SKB_SHARED_INFO_SIZE) {
    return `packet of ${frame.length} bytes is over test_run's one-page limit`;
  }
  for (const [k, v] of Object.entries(input.ctx)) {
    const base = k.replace(/\[\d+\]$/, "");
    if (!CTX_IN_FIELDS.has(base) && BigInt(v) !== 0n) {
      return `ctx field ${k} must be 0 for BPF_PROG_TEST_RUN`;
    }
  }
  // test_run pulls the network header of IPv4/IPv6 frames and refuses
  // shorter ones with EINVAL (measured on 6.18: +19 bytes refused, +20 run).
  const proto = protocol(frame);
  const need = proto === 0x0800 ? 20 : proto === 0x86dd ? 40 : 0;
  if (frame.length - ETH_HLEN < need) {
    return `a ${proto === 0x0800 ? "IPv4" : "IPv6"} frame needs ${need} bytes after the Ethernet header (has ${frame.length - ETH_HLEN})`;
  }
  const l2 = input.progType === "tc";
  const metaLen = input.metadata?.length ?? 0;
  if (metaLen % 4 !== 0 || metaLen > 32) {
    return `metadata of ${metaLen} bytes: XDP writes a multiple of 4, at most 32`;
  }
  const total = kmallocSize(frame.length + SKB_HEADROOM + SKB_SHARED_INFO_SIZE);
  const data = SKB_HEADROOM + (l2 ? 0 : ETH_HLEN);
  const fill = (buf: Uint8Array) => {
    buf.set(frame, SKB_HEADROOM);
    if (input.metadata) buf.set(input.metadata, data - metaLen);
  };
  let run: SkbRun;
  if (reuse !== undefined && reuse.packet.home.length === total && reuse.l2 === l2) {
    // test_run's buffer is zeroed (kzalloc) but for the input.
    reuse.packet.home.fill(0);
    fill(reuse.packet.home);
    reuse.packet.reuse(data - metaLen, data, SKB_HEADROOM + frame.length);
    reuse.ctx.reuse();
    run = reuse;
  } else {
    const buf = new Uint8Array(total);
    fill(buf);
    const packet = new PacketBuffer(mem, {
      buf,
      meta: data - metaLen,
      data,
      end: SKB_HEADROOM + frame.length,
      reserved: SKB_SHARED_INFO_SIZE,
      writable: WRITABLE.has(input.progType),
    });
    run = { packet, ctx: skbContext(mem, input, packet), l2 };
  }
  const { ctx, packet } = run;
  // Stored big-endian: a u32 load gives the byte-swapped value (bpf_htons(ETH_P_IP) == 0x0008).
  ctx.set("protocol", BigInt(((proto & 0xff) << 8) | (proto >> 8)));
  ctx.set("pkt_type", BigInt(pktType(frame.subarray(0, 6))));
  ctx.set("ifindex", BigInt(input.loopbackIfindex));
  for (const [k, v] of Object.entries(input.ctx)) ctx.set(k, BigInt(v));
  if (input.ctx.ifindex === undefined || BigInt(input.ctx.ifindex) <= 1n) {
    ctx.set("ifindex", BigInt(input.loopbackIfindex));
  }
  if (input.ctx.wire_len === undefined || BigInt(input.ctx.wire_len) === 0n) {
    ctx.set("wire_len", BigInt(packet.end - packet.data));
  }
  return run;
}

/** The __sk_buff of a new packet, its computed fields read from the packet. */
function skbContext(mem: Memory, input: SkbInput, packet: PacketBuffer): ContextStruct {
  const high = () => packet.addressHigh();
  const ctx = new ContextStruct(mem, {
    struct: "__sk_buff",
    access: input.access,
    progType: input.progType,
    pointers: new Set(["data", "data_end", "data_meta"]),
    computed: {
      data: () => packet.pointer(packet.data),
      data_end: () => packet.pointer(packet.end),
      data_meta: () => packet.pointer(packet.meta),
      len: () => BigInt(packet.end - packet.data),
    },
    computedHalves: {
      data: [() => packet.offsetOf(packet.data), high],
      data_end: [() => packet.offsetOf(packet.end), high],
      data_meta: [() => packet.offsetOf(packet.meta), high],
      len: [() => packet.end - packet.data, () => 0],
    },
  });
  packet.onChange = () => ctx.refresh();
  return ctx;
}

/** data_out: the packet from skb->data, with a zeroed Ethernet header pushed for non-L2 types. */
export function skbOutput(run: SkbRun): Uint8Array {
  const body = run.packet.bytes();
  if (run.l2) return body.slice();
  const out = new Uint8Array(ETH_HLEN + body.length);
  out.set(body, ETH_HLEN);
  return out;
}
