// General helpers (kernel/bpf/helpers.c, bpf_iter.c, ringbuf.c, trace):
// bpf_for_each_map_elem (callbacks through vm.callFunction), strings and
// formatting (bpf_strncmp, bpf_snprintf, bpf_trace_vprintk), NUMA node and
// jiffies, spin locks, per-CPU lookups, queue/stack push/pop/peek, ring
// buffer query, perf event output and bpf_kptr_xchg (bpf_loop, time, CPU id
// and the rest of the ring buffer are in core.ts). Jiffies derive from
// env.clock at world.hz (SIMULATED: the kernel's start at a boot value).

import type { HelperImpl, RunEnv } from "../env.js";
import { PerfEventArrayMap, RingBufMap, type BpfMap, type PerCpuMap } from "../maps/index.js";
import { VmError, type Pointer } from "../vm/types.js";
import { MAX_BPRINTF_VARARGS, bprintf } from "./format.js";
import { percpuPtrHelpers } from "./percpu-ptr.js";
import { E, cString, dv, family, neg, readMem, u32, worldOf, writableMem } from "./support.js";

/** BPF_MAX_LOOPS: bpf_loop's and the numeric iterator's bound. */
export const BPF_MAX_LOOPS = 1 << 23;

/**
 * bpf_loop as the kernel runs it. With flags 0 the verifier inlines the call
 * (inline_bpf_loop), and the inlined code sets -E2BIG with a 32-bit move:
 * r0 is 0xfffffff9, not -7. Replaces core.ts's bpf_loop (same loop otherwise;
 * the differential test shows the kernel's value).
 */
const loop: HelperImpl = (env, nr, callback, ctx, flags) => {
  if (flags !== 0n) return neg(E.EINVAL);
  const n = u32(nr);
  if (n > BPF_MAX_LOOPS) return BigInt.asUintN(32, neg(E.E2BIG));
  for (let i = 0; i < n; i++) {
    // Callbacks return 0 (continue) or 1 (stop); the verifier enforces the range.
    if (env.vm.callFunction(callback, [BigInt(i), ctx, 0n, 0n, 0n]) !== 0n) return BigInt(i + 1);
  }
  return BigInt(n);
};

/** Map types bpf_for_each_map_elem accepts (the verifier refuses the others). */
const ITERABLE = new Set([1, 2, 5, 6, 9, 10]); // hash, array, percpu hash/array, lru, lru percpu

const forEachMapElem: HelperImpl = (env, mapPtr, callback, ctx, flags) => {
  const map = env.maps.require(mapPtr, "bpf_for_each_map_elem");
  if (!ITERABLE.has(map.type)) {
    throw new VmError("helper", `bpf_for_each_map_elem: map ${map.name} cannot be iterated`);
  }
  if (flags !== 0n) return neg(E.EINVAL);
  // One read-only key buffer reused for every element, as the kernel passes &key.
  const keyBuf = new Uint8Array(map.keySize);
  const keyPtr = env.expose("memory", keyBuf, `${map.name} key`, true);
  const mp = env.maps.pointerOf(map);
  let count = 0;
  const keys: Uint8Array[] = [];
  for (let k = map.nextKey(undefined); k; k = map.nextKey(k)) {
    keys.push(k.slice());
    if (keys.length > map.maxEntries) break;
  }
  for (const k of keys) {
    const value = map.lookup(k);
    if (!value) continue; // deleted by an earlier callback
    count++;
    keyBuf.set(k);
    const vp = env.maps.valuePointer(map, value);
    if (env.vm.callFunction(callback, [mp, keyPtr, vp, ctx, 0n]) & 0xffffffffn) break;
  }
  return BigInt(count);
};

const strncmp: HelperImpl = (env, s1, size, s2) => {
  const n = u32(size);
  const a = readMem(env, s1, n);
  const b = cString(env, s2, 1 << 16);
  if (b === undefined) throw new VmError("helper", "bpf_strncmp: s2 is not a constant string");
  for (let i = 0; i < n; i++) {
    const c1 = a[i]!;
    const c2 = i < b.length ? b.charCodeAt(i) : 0;
    if (c1 !== c2) return c1 < c2 ? -1n : 1n;
    if (c1 === 0) break;
  }
  return 0n;
};

/** The u64 varargs array of snprintf/vprintk, or -EINVAL. */
function varargs(env: RunEnv, ptr: Pointer, len: bigint): bigint[] | undefined {
  const n = u32(len);
  if (n % 8 || n > MAX_BPRINTF_VARARGS * 8 || (n && ptr === 0n)) return undefined;
  const b = readMem(env, ptr, n);
  return Array.from({ length: n / 8 }, (_, i) => dv(b).getBigUint64(8 * i, true));
}

function encode(text: string): Uint8Array {
  return Uint8Array.from(text, (c: string) => c.charCodeAt(0) & 0xff);
}

const snprintf: HelperImpl = (env, str, size, fmtPtr, data, dataLen) => {
  const args = varargs(env, data, dataLen);
  if (!args) return neg(E.EINVAL);
  const fmt = cString(env, fmtPtr, 1 << 16);
  if (fmt === undefined) throw new VmError("helper", "bpf_snprintf: fmt is not a constant string");
  const r = bprintf(env, fmt, args);
  if (!r.ok) return neg(r.errno);
  const n = u32(size);
  if (n > 0) {
    const out = writableMem(env, str, n);
    const b = encode(r.text).subarray(0, n - 1);
    out.set(b);
    out[b.length] = 0;
  }
  return BigInt(r.text.length + 1);
};

/** MAX_BPRINTF_BUF: trace output is cut at 1024 bytes. */
const MAX_BPRINTF_BUF = 1024;

const traceVprintk: HelperImpl = (env, fmtPtr, fmtSize, data, dataLen) => {
  const args = varargs(env, data, dataLen);
  if (!args) return neg(E.EINVAL);
  const raw = readMem(env, fmtPtr, u32(fmtSize));
  const nul = raw.indexOf(0);
  if (nul < 0) return neg(E.EINVAL);
  const r = bprintf(env, String.fromCharCode(...raw.subarray(0, nul)), args);
  if (!r.ok) return neg(r.errno);
  const text = r.text.slice(0, MAX_BPRINTF_BUF - 1);
  env.log.push(text.endsWith("\n") ? text.slice(0, -1) : text);
  // bstr_printf's result: the untruncated length.
  return BigInt(r.text.length);
};

const SPIN_LOCKED = 1;

function lockWord(env: RunEnv, ptr: Pointer): DataView {
  return dv(writableMem(env, ptr, 4));
}

const spinLock: HelperImpl = (env, lock) => {
  const w = lockWord(env, lock);
  // One CPU runs at a time here: a held lock means the program takes it twice.
  if (w.getUint32(0, true) === SPIN_LOCKED) {
    throw new VmError("helper", "bpf_spin_lock: lock already held (deadlock)");
  }
  w.setUint32(0, SPIN_LOCKED, true);
  return 0n;
};

const spinUnlock: HelperImpl = (env, lock) => {
  lockWord(env, lock).setUint32(0, 0, true);
  return 0n;
};

function isPerCpu(m: BpfMap): m is BpfMap & PerCpuMap {
  return typeof (m as Partial<PerCpuMap>).lookupCpu === "function";
}

const lookupPercpuElem: HelperImpl = (env, mapPtr, key, cpu) => {
  const map = env.maps.require(mapPtr, "bpf_map_lookup_percpu_elem");
  if (!isPerCpu(map)) {
    throw new VmError("helper", `bpf_map_lookup_percpu_elem: ${map.name} is not a per-CPU map`);
  }
  if (u32(cpu) >= env.cpus.count) return 0n;
  const v = map.lookupCpu(readMem(env, key, map.keySize), u32(cpu));
  return v ? env.maps.valuePointer(map, v) : 0n;
};

const push: HelperImpl = (env, mapPtr, value, flags) => {
  const map = env.maps.require(mapPtr, "bpf_map_push_elem");
  return BigInt(map.push(readMem(env, value, map.valueSize).slice(), Number(flags)));
};

const pop: HelperImpl = (env, mapPtr, value) => {
  const map = env.maps.require(mapPtr, "bpf_map_pop_elem");
  return BigInt(map.pop(writableMem(env, value, map.valueSize)));
};

const peek: HelperImpl = (env, mapPtr, value) => {
  const map = env.maps.require(mapPtr, "bpf_map_peek_elem");
  return BigInt(map.peek(writableMem(env, value, map.valueSize)));
};

function ringbuf(env: RunEnv, ptr: Pointer, helper: string): RingBufMap {
  const map = env.maps.require(ptr, helper);
  if (!(map instanceof RingBufMap))
    throw new VmError("helper", `${helper}: ${map.name} is not a ring buffer`);
  return map;
}

const ringbufQuery: HelperImpl = (env, mapPtr, flags) =>
  ringbuf(env, mapPtr, "bpf_ringbuf_query").query(flags);

const perfEventOutput: HelperImpl = (env, _ctx, mapPtr, flags, data, size) => {
  const map = env.maps.require(mapPtr, "bpf_perf_event_output");
  if (!(map instanceof PerfEventArrayMap)) {
    throw new VmError("helper", `bpf_perf_event_output: ${map.name} is not a perf event array`);
  }
  const ctxLen = Number((flags >> 32n) & 0xfffffn);
  const pkt = env.packet.bytes();
  if (env.progType === "xdp" && flags & ~((0xfffffn << 32n) | 0xffffffffn)) return neg(E.EINVAL);
  // The context bytes are the packet (skb_copy_bits / xdp data), appended after `data`.
  if (ctxLen > pkt.length) return neg(E.EFAULT);
  const meta = readMem(env, data, Number(size));
  const rec = new Uint8Array(meta.length + ctxLen);
  rec.set(meta);
  rec.set(pkt.subarray(0, ctxLen), meta.length);
  return BigInt(map.output(flags, rec));
};

/** bpf_kptr_xchg: swap the 8-byte kptr slot of a map value, returning the old pointer. */
const kptrXchg: HelperImpl = (env, slot, ptr) => {
  const w = dv(writableMem(env, slot, 8));
  const old = w.getBigUint64(0, true);
  w.setBigUint64(0, ptr, true);
  return old;
};

export const utilHelpers = family({
  bpf_loop: loop,
  bpf_for_each_map_elem: forEachMapElem,
  bpf_strncmp: strncmp,
  bpf_snprintf: snprintf,
  bpf_trace_vprintk: traceVprintk,
  bpf_get_numa_node_id: (env) => BigInt(worldOf(env).numaNode),
  bpf_jiffies64: (env) => (env.clock.ns() * BigInt(worldOf(env).hz)) / 1_000_000_000n,
  bpf_spin_lock: spinLock,
  bpf_spin_unlock: spinUnlock,
  bpf_map_lookup_percpu_elem: lookupPercpuElem,
  bpf_map_push_elem: push,
  bpf_map_pop_elem: pop,
  bpf_map_peek_elem: peek,
  bpf_ringbuf_query: ringbufQuery,
  bpf_perf_event_output: perfEventOutput,
  bpf_kptr_xchg: kptrXchg,
  ...percpuPtrHelpers,
});
