// The string kfuncs (kernel/bpf/helpers.c, Linux 6.17): bpf_strcmp,
// bpf_strlen, bpf_strnlen, bpf_strchr, bpf_strchrnul, bpf_strnchr,
// bpf_strrchr, bpf_strspn, bpf_strcspn, bpf_strstr, bpf_strnstr. The kernel
// reads the strings with no-fault copies: NULL (a user-range address) gives
// -ERANGE, memory that is not there -EFAULT, a string longer than
// XATTR_SIZE_MAX (65536) -E2BIG; results are indexes or -ENOENT. Characters
// compare unsigned (the kernel builds with -funsigned-char).

import type { HelperImpl, HelperRegistry, RunEnv } from "../env.js";
import type { Pointer } from "../vm/types.js";
import { E, neg, u32 } from "./support.js";

const XATTR_SIZE_MAX = 65536;

/** The bytes of a string up to `max` (stopping after its NUL), or -errno. */
function str(env: RunEnv, ptr: Pointer, max = XATTR_SIZE_MAX): Uint8Array | bigint {
  if (ptr === 0n) return neg(E.ERANGE);
  const at = env.vm.mem.regionOf(ptr);
  if (!at) return neg(E.EFAULT);
  const b = at.region.bytes;
  const limit = Math.min(b.length, at.offset + max);
  for (let i = at.offset; i < limit; i++) if (b[i] === 0) return b.subarray(at.offset, i + 1);
  // Ran off the region before the NUL: the next read faults, unless max was reached first.
  if (limit - at.offset === max) return b.subarray(at.offset, limit);
  return neg(E.EFAULT);
}

/** Length of a string (no NUL) within `max`, or -errno (-E2BIG when unterminated at max). */
function len(s: Uint8Array, max: number): number {
  const n = s.indexOf(0);
  return n < 0 ? max : n;
}

const strcmp: HelperImpl = (env, p1, p2) => {
  const a = str(env, p1);
  const b = str(env, p2);
  if (typeof a === "bigint") return a;
  if (typeof b === "bigint") return b;
  for (let i = 0; i < XATTR_SIZE_MAX; i++) {
    if (i >= a.length || i >= b.length) return neg(E.EFAULT);
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1n : 1n;
    if (a[i] === 0) return 0n;
  }
  return neg(E.E2BIG);
};

function strnlen(env: RunEnv, p: Pointer, count: number): bigint {
  const s = str(env, p, Math.min(count, XATTR_SIZE_MAX));
  if (typeof s === "bigint") return s;
  const n = len(s, s.length);
  if (n === XATTR_SIZE_MAX && count > XATTR_SIZE_MAX) return neg(E.E2BIG);
  return BigInt(n);
}

function strnchr(env: RunEnv, p: Pointer, count: number, c: number): bigint {
  const s = str(env, p, Math.min(count, XATTR_SIZE_MAX));
  if (typeof s === "bigint") return s;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === c) return BigInt(i);
    if (s[i] === 0) return neg(E.ENOENT);
  }
  return count > XATTR_SIZE_MAX ? neg(E.E2BIG) : neg(E.ENOENT);
}

const strchrnul: HelperImpl = (env, p, c) => {
  const s = str(env, p);
  if (typeof s === "bigint") return s;
  const ch = Number(c & 0xffn);
  for (let i = 0; i < s.length; i++) if (s[i] === ch || s[i] === 0) return BigInt(i);
  return neg(E.E2BIG);
};

const strrchr: HelperImpl = (env, p, c) => {
  const s = str(env, p);
  if (typeof s === "bigint") return s;
  const ch = Number(c & 0xffn);
  let found = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ch) found = i;
    if (s[i] === 0) return found < 0 ? neg(E.ENOENT) : BigInt(found);
  }
  return neg(E.E2BIG);
};

/** strspn (accept) / strcspn (reject). */
function span(accept: boolean): HelperImpl {
  return (env, p, setPtr) => {
    const s = str(env, p);
    const set = str(env, setPtr);
    if (typeof s === "bigint") return s;
    if (typeof set === "bigint") return set;
    const chars = new Set(set.subarray(0, len(set, set.length)));
    for (let i = 0; i < s.length; i++) {
      if (s[i] === 0 || chars.has(s[i]!) !== accept) return BigInt(i);
    }
    return neg(E.E2BIG);
  };
}

function strnstr(env: RunEnv, p1: Pointer, p2: Pointer, limit: number): bigint {
  const s = str(env, p1);
  const t = str(env, p2);
  if (typeof s === "bigint") return s;
  if (typeof t === "bigint") return t;
  const hay = s.subarray(0, Math.min(len(s, s.length), limit));
  const needle = t.subarray(0, len(t, t.length));
  for (let i = 0; i + needle.length <= hay.length; i++) {
    if (needle.every((x, k) => hay[i + k] === x)) return BigInt(i);
  }
  return neg(E.ENOENT);
}

export const stringKfuncs: HelperRegistry = {
  bpf_strcmp: strcmp,
  bpf_strlen: (env, p) => strnlen(env, p, XATTR_SIZE_MAX),
  bpf_strnlen: (env, p, count) => strnlen(env, p, Number(BigInt.asUintN(32, count))),
  bpf_strchr: (env, p, c) => strnchr(env, p, XATTR_SIZE_MAX, Number(c & 0xffn)),
  bpf_strnchr: (env, p, count, c) => strnchr(env, p, u32(count), Number(c & 0xffn)),
  bpf_strchrnul: strchrnul,
  bpf_strrchr: strrchr,
  bpf_strspn: span(true),
  bpf_strcspn: span(false),
  bpf_strstr: (env, p1, p2) => strnstr(env, p1, p2, XATTR_SIZE_MAX),
  bpf_strnstr: (env, p1, p2, n) => strnstr(env, p1, p2, Number(BigInt.asUintN(32, n))),
};
