// bpf_probe_read_{kernel,user}{,_str}_dynptr (kernel/trace/bpf_trace.c,
// __bpf_dynptr_copy and __bpf_dynptr_copy_str): copy from an unsafe address
// into a dynptr. The kernel first asks for a writable slice of the
// destination (bpf_dynptr_slice_rdwr) and copies straight into it; when
// there is none (NULL or read-only dynptr, range past its end) it checks the
// range (-E2BIG), then copies through a 256-byte bounce buffer with
// __bpf_dynptr_write, which refuses NULL and read-only dynptrs (-EINVAL).
//
// SIMULATED sources, as for bpf_probe_read_kernel: program memory (stack,
// maps, packet...) is the only kernel memory there is. Any other address
// below the top of user space is refused as the kernel's
// copy_from_kernel_nofault_allowed refuses it (-ERANGE); the rest faults
// (-EFAULT). User memory never exists: the _user variants always fault
// (-EFAULT, destination untouched, as copy_from_user_nofault leaves it).

import type { HelperImpl, RunEnv } from "../env.js";
import type { Pointer } from "../vm/types.js";
import {
  DynType,
  checkOffLen,
  dynptrSlice,
  dynptrWrite,
  readDynptr,
  type Dynptr,
} from "./dynptr.js";
import { E, neg, u32 } from "./support.js";

/** TASK_SIZE_MAX + PAGE_SIZE on x86-64: kernel reads below it are refused (-ERANGE). */
const USER_LIMIT = 0x0000_8000_0000_0000n;
const BOUNCE = 256;

/** What copy_from_kernel_nofault finds at `src`: the bytes, or -errno. */
export function kernelBytes(env: RunEnv, src: Pointer, n: number): Uint8Array | bigint {
  const at = env.vm.mem.regionOf(src);
  if (at && at.offset + n <= at.region.bytes.length) {
    return at.region.bytes.subarray(at.offset, at.offset + n);
  }
  return BigInt.asUintN(64, src) < USER_LIMIT + 4096n && !at ? neg(E.ERANGE) : neg(E.EFAULT);
}

/**
 * What a faulting copy_from_kernel_nofault leaves behind on the reference
 * kernel (x86-64 6.18, observed): the first load's destination unit (u64,
 * else u32, u16, u8 by the size) holds 1, the rest is untouched.
 */
function faultMark(dst: Uint8Array): void {
  const unit = dst.length >= 8 ? 8 : dst.length >= 4 ? 4 : dst.length >= 2 ? 2 : 1;
  dst.fill(0, 0, unit);
  dst[0] = 1;
}

/** copy_{kernel,user}_data_nofault: 0 or -errno; the destination is untouched on failure. */
function copyData(user: boolean) {
  return (env: RunEnv, dst: Uint8Array, src: Pointer): number | bigint => {
    if (dst.length === 0) return 0;
    if (user) return neg(E.EFAULT);
    const b = kernelBytes(env, src, dst.length);
    if (typeof b === "bigint") {
      if (b === neg(E.EFAULT)) faultMark(dst);
      return b;
    }
    dst.set(b);
    return 0;
  };
}

/**
 * strncpy_from_{kernel,user}_nofault: the length copied with its NUL
 * (truncated strings end in a NUL at count - 1), or -errno. A kernel fault
 * part-way leaves dst[0] = 0, as the kernel's loop does.
 */
function copyStr(user: boolean) {
  return (env: RunEnv, dst: Uint8Array, src: Pointer): number | bigint => {
    const count = dst.length;
    if (count === 0) return 0;
    if (user) return neg(E.EFAULT);
    const first = kernelBytes(env, src, 1);
    if (typeof first === "bigint") {
      if (first === neg(E.EFAULT)) dst[0] = 0;
      return first;
    }
    const at = env.vm.mem.regionOf(src)!;
    const avail = at.region.bytes.subarray(at.offset, at.offset + count);
    const nul = avail.indexOf(0);
    if (nul >= 0) {
      dst.set(avail.subarray(0, nul + 1));
      return nul + 1;
    }
    if (avail.length < count) {
      dst.set(avail);
      dst[0] = 0;
      return neg(E.EFAULT);
    }
    dst.set(avail.subarray(0, count - 1));
    dst[count - 1] = 0;
    return count;
  };
}

type CopyFn = (env: RunEnv, dst: Uint8Array, src: Pointer) => number | bigint;

/** bpf_dynptr_slice_rdwr(dptr, off, NULL, size): the live bytes, or undefined (NULL). */
function writableSlice(env: RunEnv, d: Dynptr, off: number, size: number): Uint8Array | undefined {
  if (d.data === 0n || d.rdonly || checkOffLen(d, off, size)) return undefined;
  const b = dynptrSlice(env, d, off, size, true);
  // A write through an skb dynptr counts as changing packet data.
  if (b && d.type === DynType.SKB && size > 0) env.packet.setBounds({});
  return b;
}

/** __bpf_dynptr_write for the bounce-buffer path. */
function bounceWrite(env: RunEnv, d: Dynptr, off: number, bytes: Uint8Array): bigint {
  return dynptrWrite(env, d, off, bytes, 0n);
}

/** The bounce-buffer path, after the slice failed and the range checked out. */
type Bounce = (env: RunEnv, d: Dynptr, off: number, n: number, src: Pointer) => bigint;

/** Straight into a writable slice when there is one, else through `bounce`. */
function viaSlice(copy: CopyFn, bounce: Bounce): HelperImpl {
  return (env, p, doff, size, src) => {
    const d = readDynptr(env, p);
    const off = u32(doff);
    const n = u32(size);
    const slice = writableSlice(env, d, off, n);
    if (slice) return BigInt(copy(env, slice, src));
    if (checkOffLen(d, off, n)) return neg(E.E2BIG);
    return bounce(env, d, off, n, src);
  };
}

function dynptrCopy(copy: CopyFn): HelperImpl {
  return viaSlice(copy, (env, d, off, n, src) => {
    for (let done = 0; done < n;) {
      const chunk = new Uint8Array(Math.min(BOUNCE, n - done));
      const r = copy(env, chunk, src + BigInt(done));
      if (typeof r === "bigint" && r < 0n) return r;
      const w = bounceWrite(env, d, off + done, chunk);
      if (w) return w;
      done += chunk.length;
    }
    return 0n;
  });
}

function dynptrCopyStr(copy: CopyFn): HelperImpl {
  return viaSlice(copy, (env, d, off, n, src) => {
    let at = 0;
    // Each chunk overwrites the previous chunk's NUL (off += chunk - 1).
    for (let chunk = 0; at < n; at += chunk - 1) {
      chunk = Math.min(BOUNCE, n - at);
      const buf = new Uint8Array(chunk);
      const cnt = copy(env, buf, src + BigInt(at));
      if (typeof cnt === "bigint") return cnt;
      const w = bounceWrite(env, d, off + at, buf.subarray(0, cnt));
      if (w) return w;
      if (cnt < chunk || chunk === 1) return BigInt(at + cnt);
    }
    return BigInt(at);
  });
}

export const probeDynptrKfuncs = {
  bpf_probe_read_kernel_dynptr: dynptrCopy(copyData(false)),
  bpf_probe_read_user_dynptr: dynptrCopy(copyData(true)),
  bpf_probe_read_kernel_str_dynptr: dynptrCopyStr(copyStr(false)),
  bpf_probe_read_user_str_dynptr: dynptrCopyStr(copyStr(true)),
};
