// The XDP context of one run as BPF_PROG_TEST_RUN builds it
// (net/bpf/test_run.c, bpf_prog_test_run_xdp): a 4096-byte frame, 256 bytes
// of headroom (XDP_PACKET_HEADROOM), the input frame from the Ethernet
// header on, and the last SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) =
// 320 bytes kept back (bpf_xdp_adjust_tail may grow the packet up to them).
// ctx_in's `data` is the metadata length: the first that many input bytes are
// metadata, taken out of the headroom. data_out starts at data_meta.

import type { Access } from "./struct.js";
import { ContextStruct } from "./struct.js";
import { PacketBuffer } from "./packet.js";
import type { Memory } from "../vm/memory.js";

export const XDP_PACKET_HEADROOM = 256;
export const XDP_FRAME_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
export const SKB_SHARED_INFO_SIZE = 320;
/** The largest linear frame test_run accepts without frags. */
export const XDP_MAX_LINEAR = XDP_FRAME_SIZE - XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE;
/** ETH_HLEN: test_run refuses shorter inputs (bpf_test_init). */
export const ETH_HLEN = 14;

export interface XdpInput {
  /** data_in: metadata (ctx.data bytes) then the frame from the Ethernet header. */
  frame: Uint8Array;
  /** ctx_in fields: data (metadata length), ingress_ifindex, rx_queue_index. */
  ctx: Readonly<Record<string, number | bigint>>;
  access: Access;
  progType: string;
  /** The loopback ifindex test_run uses when ctx gives no ingress_ifindex. */
  loopbackIfindex: number;
}

export interface XdpRun {
  packet: PacketBuffer;
  ctx: ContextStruct;
}

/** Validates the input as test_run does; returns an error message or the run state. */
export function createXdpRun(mem: Memory, input: XdpInput): XdpRun | string {
  const metaLen = Number(input.ctx.data ?? 0);
  const known = new Set(["data", "data_end", "ingress_ifindex", "rx_queue_index"]);
  for (const [k, v] of Object.entries(input.ctx)) {
    if (!known.has(k) && BigInt(v) !== 0n) return `ctx field ${k} must be 0 for BPF_PROG_TEST_RUN`;
  }
  if (input.ctx.data_end !== undefined && Number(input.ctx.data_end) !== input.frame.length) {
    return `ctx data_end (${input.ctx.data_end}) must equal the input length (${input.frame.length})`;
  }
  // xdp_metalen_invalid: a multiple of 4, at most 32 bytes.
  if (metaLen % 4 !== 0 || metaLen > 32 || metaLen > input.frame.length) {
    return `metadata length ${metaLen} must be a multiple of 4, at most 32`;
  }
  const len = input.frame.length - metaLen;
  if (input.frame.length < ETH_HLEN)
    return `packet of ${input.frame.length} bytes: test_run needs at least ${ETH_HLEN}`;
  if (input.frame.length > XDP_MAX_LINEAR) {
    return `packet of ${input.frame.length} bytes needs XDP frags (over ${XDP_MAX_LINEAR}); not supported yet`;
  }
  const ingress = Number(input.ctx.ingress_ifindex ?? 0);
  const rxq = Number(input.ctx.rx_queue_index ?? 0);
  if (ingress === 0 && rxq !== 0) return "rx_queue_index needs an ingress_ifindex";
  const buf = new Uint8Array(XDP_FRAME_SIZE);
  const meta = XDP_PACKET_HEADROOM - metaLen;
  buf.set(input.frame, meta);
  const packet = new PacketBuffer(mem, {
    buf,
    meta,
    data: XDP_PACKET_HEADROOM,
    end: XDP_PACKET_HEADROOM + len,
    reserved: SKB_SHARED_INFO_SIZE,
    writable: true,
  });
  const ctx = new ContextStruct(mem, {
    struct: "xdp_md",
    access: input.access,
    progType: input.progType,
    pointers: new Set(["data", "data_end", "data_meta"]),
    computed: {
      data: () => packet.pointer(packet.data),
      data_end: () => packet.pointer(packet.end),
      data_meta: () => packet.pointer(packet.meta),
    },
  });
  ctx.set("ingress_ifindex", BigInt(ingress || input.loopbackIfindex));
  ctx.set("rx_queue_index", BigInt(rxq));
  return { packet, ctx };
}

/** data_out: from data_meta to data_end. */
export function xdpOutput(run: XdpRun): Uint8Array {
  const p = run.packet;
  return p.buf.slice(p.meta, p.end);
}
