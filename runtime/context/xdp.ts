// The XDP context of one run as BPF_PROG_TEST_RUN builds it
// (net/bpf/test_run.c, bpf_prog_test_run_xdp): a 4096-byte frame, 256 bytes
// of headroom (XDP_PACKET_HEADROOM), the input frame from the Ethernet
// header on, and the last SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) =
// 320 bytes kept back (bpf_xdp_adjust_tail may grow the packet up to them).
// ctx_in's `data` is the metadata length: the first that many input bytes are
// metadata, taken out of the headroom. data_out starts at data_meta.
// Inputs past the linear part continue in page-sized frags (xdp-frags.ts).

import type { Access } from "./struct.js";
import { ContextStruct } from "./struct.js";
import { PacketBuffer } from "./packet.js";
import type { Memory } from "../vm/memory.js";
import { MAX_SKB_FRAGS, attachFrags, fragsOf, fragsSize } from "./xdp-frags.js";

export const XDP_PACKET_HEADROOM = 256;
export const XDP_FRAME_SIZE = 4096;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64. */
export const SKB_SHARED_INFO_SIZE = 320;
/** The linear part's size without metadata; longer inputs continue in frags. */
export const XDP_MAX_LINEAR = XDP_FRAME_SIZE - XDP_PACKET_HEADROOM - SKB_SHARED_INFO_SIZE;
/** ETH_HLEN: test_run refuses shorter inputs (bpf_test_init). */
export const ETH_HLEN = 14;

export interface XdpInput {
  /** data_in: metadata (ctx.data bytes) then the frame from the Ethernet header. */
  frame: Uint8Array;
  /** ctx_in fields: data (metadata length), ingress_ifindex, rx_queue_index (devmap programs: egress_ifindex). */
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

/** The xdp_md fields ctx_in may set. */
const KNOWN_CTX = new Set(["data", "data_end", "ingress_ifindex", "rx_queue_index"]);
const KNOWN_CTX_DEVMAP = new Set([...KNOWN_CTX, "egress_ifindex"]);
const POINTERS: ReadonlySet<string> = new Set(["data", "data_end", "data_meta"]);

/**
 * Validates the input as test_run does; returns an error message or the run
 * state. With `reuse` (a run of the same program that has ended), its buffer,
 * packet and context are refilled and returned instead of new ones, when the
 * input fits them (no frags).
 */
export function createXdpRun(mem: Memory, input: XdpInput, reuse?: XdpRun): XdpRun | string {
  const metaLen = Number(input.ctx.data ?? 0);
  // Devmap egress programs (xdp/devmap: their access table has egress_ifindex)
  // run after bpf_redirect_map with the target device as egress_ifindex.
  // test_run refuses them (-EINVAL); the runtime runs them as the devmap
  // would, with ctx.egress_ifindex naming the device (default: the ingress one).
  const devmap = "egress_ifindex" in input.access;
  const known = devmap ? KNOWN_CTX_DEVMAP : KNOWN_CTX;
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
  if (input.frame.length < ETH_HLEN)
    return `packet of ${input.frame.length} bytes: test_run needs at least ${ETH_HLEN}`;
  // Past a page minus headroom and tailroom the rest goes into frags (xdp-frags.ts).
  const linear = Math.min(input.frame.length, XDP_MAX_LINEAR + metaLen);
  const len = linear - metaLen;
  const ingress = Number(input.ctx.ingress_ifindex ?? 0);
  const rxq = Number(input.ctx.rx_queue_index ?? 0);
  if (ingress === 0 && rxq !== 0) return "rx_queue_index needs an ingress_ifindex";
  const meta = XDP_PACKET_HEADROOM - metaLen;
  let run: XdpRun;
  if (reuse !== undefined && linear === input.frame.length && fragsOf(reuse.packet).length === 0) {
    // test_run's buffer is zeroed (kzalloc) but for the input.
    const buf = reuse.packet.home;
    buf.fill(0);
    buf.set(input.frame, meta);
    reuse.packet.reuse(meta, XDP_PACKET_HEADROOM, XDP_PACKET_HEADROOM + len);
    reuse.ctx.reuse();
    run = reuse;
  } else {
    const r = newXdpRun(mem, input, meta, linear, len);
    if (typeof r === "string") return r;
    run = r;
  }
  const { ctx } = run;
  ctx.set("ingress_ifindex", BigInt(ingress || input.loopbackIfindex));
  ctx.set("rx_queue_index", BigInt(rxq));
  if (devmap) {
    ctx.set(
      "egress_ifindex",
      BigInt(Number(input.ctx.egress_ifindex ?? 0) || ingress || input.loopbackIfindex),
    );
  }
  return run;
}

/** A new packet buffer (frags too) and context for createXdpRun. */
function newXdpRun(
  mem: Memory,
  input: XdpInput,
  meta: number,
  linear: number,
  len: number,
): XdpRun | string {
  const buf = new Uint8Array(XDP_FRAME_SIZE);
  buf.set(input.frame.subarray(0, linear), meta);
  const packet = new PacketBuffer(mem, {
    buf,
    meta,
    data: XDP_PACKET_HEADROOM,
    end: XDP_PACKET_HEADROOM + len,
    reserved: SKB_SHARED_INFO_SIZE,
    writable: true,
  });
  if (!attachFrags(packet, input.frame.subarray(linear))) {
    packet.release();
    return `packet of ${input.frame.length} bytes needs more than ${MAX_SKB_FRAGS} frags (-ENOMEM)`;
  }
  const high = () => packet.addressHigh();
  const ctx = new ContextStruct(mem, {
    struct: "xdp_md",
    access: input.access,
    progType: input.progType,
    pointers: POINTERS,
    computed: {
      data: () => packet.pointer(packet.data),
      data_end: () => packet.pointer(packet.end),
      data_meta: () => packet.pointer(packet.meta),
    },
    computedHalves: {
      data: [() => packet.offsetOf(packet.data), high],
      data_end: [() => packet.offsetOf(packet.end), high],
      data_meta: [() => packet.offsetOf(packet.meta), high],
    },
  });
  packet.onChange = () => ctx.refresh();
  return { packet, ctx };
}

/** data_out: from data_meta to data_end, then the frags. */
export function xdpOutput(run: XdpRun): Uint8Array {
  const p = run.packet;
  const frags = fragsOf(p);
  const out = new Uint8Array(p.end - p.meta + fragsSize(p));
  out.set(p.buf.subarray(p.meta, p.end));
  let at = p.end - p.meta;
  for (const f of frags) {
    out.set(f.page.subarray(0, f.size), at);
    at += f.size;
  }
  return out;
}
