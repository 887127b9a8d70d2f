// The starter helpers (kernel/bpf/helpers.c, net/core/filter.c semantics):
// map lookup/update/delete, time, random, CPU id, bpf_xdp_adjust_head,
// bpf_redirect_map, bpf_tail_call, the ring buffer (output, reserve,
// submit, discard) and bpf_trace_printk. Other families live beside this
// file and are merged in index.ts.

import type { HelperRegistry, RunEnv } from "../env.js";
import { badArg, errno } from "../env.js";
import {
  ArrayOfMapsMap,
  CpuMap,
  DevMap,
  DevMapHash,
  Errno,
  HashOfMapsMap,
  ProgArrayMap,
  RingBufMap,
  XskMap,
} from "../maps/index.js";
import { VmError } from "../vm/types.js";
import { keyArg, mapArg, regsHelper, returnValuePointer } from "./support.js";
import type { Memory } from "../vm/memory.js";

/** sizeof(struct xdp_frame) on x86-64: bpf_xdp_adjust_head keeps it free at the frame start. */
const XDP_FRAME_STRUCT_SIZE = 40;
const ETH_HLEN = 14;
/** MAX_TAIL_CALL_CNT. */
const MAX_TAIL_CALLS = 33;

/** Ring buffer records handed out in a run: the sample view -> its map. */
const reserved = new WeakMap<Uint8Array, RingBufMap>();

function bytes(env: RunEnv, ptr: bigint, len: number): Uint8Array {
  return env.vm.mem.read(ptr, len).slice();
}

/** bpf_ktime_get_ns: r0 written as halves when the clock can (nothing allocated), else returned. */
function ktime(env: RunEnv, regs: Uint32Array): number | bigint | undefined {
  const clock = env.clock;
  if (clock.nsInto !== undefined && clock.nsInto(regs)) return undefined;
  return clock.nsNumber?.() ?? clock.ns();
}

export const coreHelpers: HelperRegistry = {
  // The per-packet helpers read their arguments from the register file and
  // return numbers (regsHelper): no BigInt, and lookups copy the key into a
  // reused buffer.
  bpf_map_lookup_elem: regsHelper((env, regs) => {
    const m = mapArg(env, regs, 1, "bpf_map_lookup_elem");
    const key = keyArg(env, regs, 2, m.keySize);
    // Array/hash of maps: the value is the inner map itself (the kernel's
    // map_lookup_elem returns the inner struct bpf_map *), usable with every map helper.
    if (m instanceof ArrayOfMapsMap || m instanceof HashOfMapsMap) {
      const inner = m.lookupMap(key);
      return inner === undefined ? 0 : env.maps.pointerOf(inner);
    }
    const v = m.lookup(key);
    return v === undefined ? 0 : returnValuePointer(env, regs, m, v);
  }),

  bpf_map_update_elem: regsHelper((env, regs) => {
    const m = mapArg(env, regs, 1, "bpf_map_update_elem");
    // Copies: a map may keep the key and value it is given.
    const k = keyArg(env, regs, 2, m.keySize).slice();
    const v = keyArg(env, regs, 3, m.valueSize).slice();
    return m.update(k, v, regs[8]!);
  }),

  bpf_map_delete_elem: regsHelper((env, regs) => {
    const m = mapArg(env, regs, 1, "bpf_map_delete_elem");
    return m.delete(keyArg(env, regs, 2, m.keySize));
  }),

  bpf_ktime_get_ns: regsHelper(ktime),
  bpf_ktime_get_coarse_ns: regsHelper(ktime),
  bpf_ktime_get_boot_ns: (env) => env.clock.ns() + (env.clock.bootOffset ?? 0n),
  bpf_ktime_get_tai_ns: (env) => env.clock.ns() + (env.clock.taiOffset ?? 0n),
  // r0 written here: a u32 above 2^31 returned through the call would be a heap number.
  bpf_get_prandom_u32: regsHelper((env, regs) => {
    regs[0] = env.random.u32();
    regs[1] = 0;
    return undefined;
  }),
  bpf_get_smp_processor_id: regsHelper((env) => env.cpus.current),

  /** filter.c: data may move down to the end of struct xdp_frame plus metadata, and up to data_end - ETH_HLEN. */
  bpf_xdp_adjust_head: regsHelper((env, regs) => {
    const p = env.packet;
    const delta = regs[4]! | 0;
    const metalen = p.data - p.meta;
    const data = p.data + delta;
    if (data < XDP_FRAME_STRUCT_SIZE + metalen || data > p.end - ETH_HLEN) return -Errno.EINVAL;
    if (metalen) p.buf.copyWithin(p.meta + delta, p.meta, p.data);
    p.setGeometry(p.meta + delta, data, p.end);
    return 0;
  }),

  bpf_redirect_map(env, map, key, flags) {
    const m = env.maps.require(map, "bpf_redirect_map");
    if (!(
      m instanceof DevMap ||
      m instanceof DevMapHash ||
      m instanceof CpuMap ||
      m instanceof XskMap
    )) {
      badArg("bpf_redirect_map", `map ${m.name} is not a devmap, cpumap or xskmap`);
    }
    const r = m.redirect(Number(BigInt.asUintN(32, key)), BigInt.asUintN(64, flags));
    if (r.target) env.redirect = { helper: "bpf_redirect_map", flags, target: r.target };
    return BigInt(r.action);
  },

  /** A missing entry or the 33-call limit falls through to the next instruction. */
  bpf_tail_call(env, _ctx, map, index) {
    const m = env.maps.require(map, "bpf_tail_call");
    if (!(m instanceof ProgArrayMap)) badArg("bpf_tail_call", `map ${m.name} is not a prog array`);
    const i = Number(BigInt.asUintN(32, index));
    if (i >= m.maxEntries || env.tailCalls.length >= MAX_TAIL_CALLS) return errno(Errno.ENOENT);
    const handle = m.tailCallTarget(i);
    if (handle === undefined) return errno(Errno.ENOENT);
    return env.tailCall(handle, m.name, i);
  },

  bpf_ringbuf_output(env, map, data, size, flags) {
    const m = env.maps.require(map, "bpf_ringbuf_output");
    if (!(m instanceof RingBufMap))
      badArg("bpf_ringbuf_output", `map ${m.name} is not a ring buffer`);
    return BigInt(m.output(bytes(env, data, Number(size)), flags));
  },

  bpf_ringbuf_reserve(env, map, size, flags) {
    const m = env.maps.require(map, "bpf_ringbuf_reserve");
    if (!(m instanceof RingBufMap))
      badArg("bpf_ringbuf_reserve", `map ${m.name} is not a ring buffer`);
    const sample = m.reserve(Number(BigInt.asUintN(32, size)), flags);
    if (!sample) return 0n;
    reserved.set(sample, m);
    return env.expose("ringbuf", sample, `ring buffer record of ${m.name}`);
  },

  bpf_ringbuf_submit: (env, data, flags) => commit(env, "bpf_ringbuf_submit", data, flags, false),
  bpf_ringbuf_discard: (env, data, flags) => commit(env, "bpf_ringbuf_discard", data, flags, true),

  /** kernel/bpf/bpf_iter.c: callback(i, ctx) until it returns non-zero; at most 1 << 23 loops. */
  bpf_loop(env, nr, callback, cbCtx, flags) {
    if (flags !== 0n) return errno(Errno.EINVAL);
    const n = Number(BigInt.asUintN(32, nr));
    if (n > 1 << 23) return errno(Errno.E2BIG);
    for (let i = 0; i < n; i++) {
      if (env.vm.callFunction(callback, [BigInt(i), cbCtx, 0n, 0n, 0n]) !== 0n)
        return BigInt(i + 1);
    }
    return BigInt(n);
  },

  bpf_trace_printk(env, fmt, size, a1, a2, a3) {
    const text = formatPrintk(env.vm.mem, bytes(env, fmt, Number(BigInt.asUintN(32, size))), [
      a1,
      a2,
      a3,
    ]);
    if (typeof text !== "string") return errno(Errno.EINVAL);
    env.log.push(text.replace(/\n$/, ""));
    return BigInt(new TextEncoder().encode(text).length);
  },
};

function commit(env: RunEnv, helper: string, ptr: bigint, flags: bigint, discard: boolean): bigint {
  const at = env.vm.mem.regionOf(ptr);
  const map = at && at.offset === 0 ? reserved.get(at.region.bytes) : undefined;
  if (!at || !map)
    throw new VmError("helper", `${helper}: not a pointer to a reserved ring buffer record`);
  if (discard) map.discard(at.region.bytes, flags);
  else map.submit(at.region.bytes, flags);
  reserved.delete(at.region.bytes);
  return 0n;
}

/**
 * bpf_trace_printk's formatting (bpf_bprintf_prepare): %d %i %u %x %X %c
 * %s %p %% with l/ll modifiers, at most three arguments; anything else (or
 * a missing NUL) is -EINVAL, returned as undefined.
 */
function formatPrintk(mem: Memory, fmt: Uint8Array, args: bigint[]): string | undefined {
  const nul = fmt.indexOf(0);
  if (nul < 0) return undefined;
  const f = new TextDecoder().decode(fmt.subarray(0, nul));
  let n = 0;
  let bad = false;
  const out = f.replace(
    /%(l{0,2})([diuxXcsp%])|%/g,
    (all, l: string | undefined, c: string | undefined) => {
      if (c === undefined) return ((bad = true), all);
      if (c === "%") return "%";
      if (n >= args.length) return ((bad = true), all);
      const v = args[n++]!;
      const bits = l && l.length > 0 ? 64 : 32;
      switch (c) {
        case "d":
        case "i":
          return BigInt.asIntN(bits, v).toString();
        case "u":
          return BigInt.asUintN(bits, v).toString();
        case "x":
          return BigInt.asUintN(bits, v).toString(16);
        case "X":
          return BigInt.asUintN(bits, v).toString(16).toUpperCase();
        case "c":
          return String.fromCharCode(Number(v & 0xffn));
        case "p":
          return `0x${BigInt.asUintN(64, v).toString(16)}`;
        default:
          return readString(mem, v);
      }
    },
  );
  return bad ? undefined : out;
}

/** A NUL-terminated string from program memory (unreadable: the kernel prints "(fault)"). */
function readString(mem: Memory, ptr: bigint): string {
  const at = mem.regionOf(ptr);
  if (!at) return "(fault)";
  const b = at.region.bytes.subarray(at.offset);
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}
