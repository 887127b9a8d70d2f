// bpf_cast_to_kern_ctx: the kernel object behind the program's context, as
// a read-only simulated struct with the reference kernel's layout (6.18,
// x86-64; offsets from its vmlinux BTF). Loads are answered live from the
// run's packet and context, so they follow bpf_xdp_adjust_head and friends
// the way the kernel's own struct does. Meaningful fields:
//
//   struct xdp_buff (56 bytes): data, data_end, data_meta, data_hard_start
//     (packet pointers; data_hard_start is the start of the 256-byte
//     headroom), frame_sz (4096, as test_run's frames), flags (0: no frags),
//     txq NULL, rxq a simulated struct xdp_rxq_info (64 bytes): queue_index
//     (rx_queue_index), reg_state 1 (registered); its dev reads as NULL (no
//     device objects: the kernel's points at the loopback device).
//   struct sk_buff (224 bytes): len, data_len (0: linear), queue_mapping,
//     pkt_type (3-bit field at byte 128), tc_index, priority, skb_iif
//     (ingress_ifindex), hash, mark, protocol (network order as stored),
//     head/data (pointers), tail and end (offsets from head).
//
// Every other byte reads as 0; stores fault (the verifier refuses them).

import type { HelperImpl, RunEnv } from "../env.js";

const XDP_BUFF_SIZE = 56;
const SK_BUFF_SIZE = 224;
/** test_run's XDP frame: headroom + data + tailroom + skb_shared_info fit one page. */
const XDP_FRAME_SZ = 4096n;

type Field = [offset: number, size: 1 | 2 | 4 | 8, value: (env: RunEnv) => bigint];

/** struct xdp_rxq_info: dev (NULL here), queue_index, reg_state (REG_STATE_REGISTERED). */
const RXQ_SIZE = 64;
const RXQ_FIELDS: Field[] = [
  [8, 4, (env) => env.ctx.get("rx_queue_index")],
  [12, 4, () => 1n],
];

const XDP_FIELDS: Field[] = [
  [0, 8, (env) => env.packet.pointer(env.packet.data)],
  [8, 8, (env) => env.packet.pointer(env.packet.end)],
  [16, 8, (env) => env.packet.pointer(env.packet.meta)],
  [24, 8, (env) => env.packet.pointer(0)],
  [32, 8, (env) => simulated(env, "rxq", RXQ_SIZE, RXQ_FIELDS)],
  [48, 4, () => XDP_FRAME_SZ],
];

const SKB_FIELDS: Field[] = [
  [112, 4, (env) => BigInt(env.packet.end - env.packet.data)], // len
  [124, 2, (env) => env.ctx.get("queue_mapping")],
  [128, 1, (env) => env.ctx.get("pkt_type") & 7n], // pkt_type:3, the other bits 0
  [132, 2, (env) => env.ctx.get("tc_index")],
  [140, 4, (env) => env.ctx.get("priority")],
  [144, 4, (env) => env.ctx.get("ingress_ifindex")], // skb_iif
  [148, 4, (env) => env.ctx.get("hash")],
  [164, 4, (env) => env.ctx.get("mark")],
  [176, 2, (env) => env.ctx.get("protocol")],
  [184, 4, (env) => BigInt(env.packet.end)], // tail, from head
  [188, 4, (env) => BigInt(env.packet.buf.length - env.packet.reserved)], // end
  [192, 8, (env) => env.packet.pointer(0)], // head
  [200, 8, (env) => env.packet.pointer(env.packet.data)], // data
];

/** The bytes of one field-aligned load: the field's low bytes when it starts there. */
function load(env: RunEnv, fields: Field[], offset: number, size: number): bigint {
  for (const [at, width, value] of fields) {
    if (offset >= at && offset + size <= at + width) {
      const shift = BigInt(8 * (offset - at));
      return (BigInt.asUintN(8 * width, value(env)) >> shift) & ((1n << BigInt(8 * size)) - 1n);
    }
  }
  return 0n;
}

/** One simulated struct per VM and kind, answering for the run that last asked for it. */
const structs = new WeakMap<object, Map<string, { ptr: bigint; env: RunEnv }>>();

function simulated(env: RunEnv, name: string, size: number, fields: Field[]): bigint {
  let byName = structs.get(env.vm);
  if (!byName) structs.set(env.vm, (byName = new Map()));
  let s = byName.get(name);
  if (!s) {
    const holder = { ptr: 0n, env };
    holder.ptr = env.vm.mem.addRegion("memory", new Uint8Array(size), {
      name: `struct ${name} (simulated)`,
      readOnly: true,
      access: { load: (offset, n) => load(holder.env, fields, offset, n) },
    }).ptr;
    byName.set(name, (s = holder));
  }
  s.env = env;
  return s.ptr;
}

const castToKernCtx: HelperImpl = (env) =>
  env.progType === "xdp"
    ? simulated(env, "xdp_buff", XDP_BUFF_SIZE, XDP_FIELDS)
    : simulated(env, "sk_buff", SK_BUFF_SIZE, SKB_FIELDS);

export const kernCtxKfuncs = {
  bpf_cast_to_kern_ctx: castToKernCtx,
};
