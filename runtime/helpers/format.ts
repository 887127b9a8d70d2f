// The kernel's BPF printf: bpf_bprintf_prepare's validation (which
// conversions are allowed, one argument per conversion, at most 12) and
// vsnprintf's formatting of them. Shared by bpf_snprintf, bpf_trace_vprintk
// and bpf_stream_vprintk (and usable by bpf_trace_printk). Allowed:
// %d %i %u %x %X with l/ll, %c, %s, %ks, %us, %pI4 %pi4 %pI6 %pi6, %pK %px
// %ps %pS %pB %p, %%, with flags "0+- " and a width (no precision).
// Pointers the runtime cannot show as the kernel does (%p hashes, %pK
// depends on kptr_restrict, %ps/%pS/%pB name kernel symbols) are SIMULATED.

import type { RunEnv } from "../env.js";
import { cString } from "./support.js";

export const MAX_BPRINTF_VARARGS = 12;

export type Formatted = { ok: true; text: string } | { ok: false; errno: number };

const EINVAL = 22;

function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isPunct(c: number): boolean {
  return isPrint(c) && !isSpace(c) && !/[A-Za-z0-9]/.test(String.fromCharCode(c));
}

interface Spec {
  flags: string;
  width: number;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (s.length >= spec.width) return s;
  if (spec.flags.includes("-")) return s.padEnd(spec.width, " ");
  if (numeric && spec.flags.includes("0")) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : "";
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, "0");
  }
  return s.padStart(spec.width, " ");
}

function ip4(b: Uint8Array, zeroPad: boolean): string {
  return [...b].map((x) => (zeroPad ? String(x).padStart(3, "0") : String(x))).join(".");
}

function ip6(b: Uint8Array, colons: boolean): string {
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return colons ? hex.match(/.{4}/g)!.join(":") : hex;
}

/** Reads `len` bytes at a pointer, or zeros when it is not program memory (copy_from_kernel_nofault). */
function bytesAt(env: RunEnv, ptr: bigint, len: number): Uint8Array {
  try {
    return env.vm.mem.read(ptr, len).slice();
  } catch {
    return new Uint8Array(len);
  }
}

function stringAt(env: RunEnv, ptr: bigint, user: boolean): string {
  if (user) return ""; // no user memory in the runtime: the copy fails, "" is printed
  try {
    const at = env.vm.mem.regionOf(ptr);
    if (!at) return "";
    return cString(env, ptr, at.region.bytes.length - at.offset) ?? "";
  } catch {
    return "";
  }
}

/**
 * Validate and format `fmt` with `args` (raw u64s) as the kernel would.
 * Returns -EINVAL cases as { ok: false }.
 */
export function bprintf(env: RunEnv, fmt: string, args: readonly bigint[]): Formatted {
  let out = "";
  let n = 0;
  const bad = (): Formatted => ({ ok: false, errno: EINVAL });
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt.charCodeAt(i);
    if ((!isPrint(c) && !isSpace(c)) || c > 0x7f) return bad();
    if (fmt[i] !== "%") {
      out += fmt[i];
      continue;
    }
    if (fmt[i + 1] === "%") {
      out += "%";
      i++;
      continue;
    }
    if (n >= args.length) return bad();
    i++;
    const spec: Spec = { flags: "", width: 0 };
    while ("0+- ".includes(fmt[i] ?? "x") && fmt[i] !== undefined) spec.flags += fmt[i++];
    if (fmt[i] !== undefined && fmt[i]! >= "1" && fmt[i]! <= "9") {
      let w = "";
      while (fmt[i] !== undefined && fmt[i]! >= "0" && fmt[i]! <= "9") w += fmt[i++];
      spec.width = Number(w);
    }
    const arg = args[n]!;
    const next = fmt.charCodeAt(i + 1);
    const ends = Number.isNaN(next) || isSpace(next) || isPunct(next);
    if (fmt[i] === "p") {
      const t = fmt[i + 1];
      if (ends) {
        out += pad(simulatedPointer(arg), spec, false);
      } else if ((t === "k" || t === "u") && fmt[i + 2] === "s") {
        i += 2;
        const after = fmt.charCodeAt(i + 1);
        if (!(Number.isNaN(after) || isSpace(after) || isPunct(after))) return bad();
        out += pad(stringAt(env, arg, t === "u"), spec, false);
      } else if (t === "K" || t === "x" || t === "s" || t === "S" || t === "B") {
        i++;
        out += pad(
          t === "x" ? arg.toString(16).padStart(16, "0") : simulatedPointer(arg),
          spec,
          false,
        );
      } else if ((t === "i" || t === "I") && (fmt[i + 2] === "4" || fmt[i + 2] === "6")) {
        const v6 = fmt[i + 2] === "6";
        i += 2;
        const b = bytesAt(env, arg, v6 ? 16 : 4);
        out += pad(v6 ? ip6(b, t === "I") : ip4(b, t === "i"), spec, false);
      } else {
        return bad();
      }
      n++;
      continue;
    }
    if (fmt[i] === "s") {
      if (!ends) return bad();
      out += pad(stringAt(env, arg, false), spec, false);
      n++;
      continue;
    }
    if (fmt[i] === "c") {
      out += pad(String.fromCharCode(Number(arg & 0xffn)), spec, false);
      n++;
      continue;
    }
    let bits = 32;
    if (fmt[i] === "l") {
      bits = 64;
      i++;
    }
    if (fmt[i] === "l") i++;
    const conv = fmt[i];
    if (conv !== "i" && conv !== "d" && conv !== "u" && conv !== "x" && conv !== "X") return bad();
    let s: string;
    if (conv === "d" || conv === "i") {
      const v = BigInt.asIntN(bits, arg);
      s = v.toString();
      if (v >= 0n && spec.flags.includes("+")) s = "+" + s;
      else if (v >= 0n && spec.flags.includes(" ")) s = " " + s;
    } else {
      const v = BigInt.asUintN(bits, arg);
      s = conv === "u" ? v.toString() : v.toString(16);
      if (conv === "X") s = s.toUpperCase();
    }
    out += pad(s, spec, true);
    n++;
  }
  return { ok: true, text: out };
}

/** %p/%pK/%ps: SIMULATED as the raw value in hex (the kernel hashes or hides it). */
function simulatedPointer(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16).padStart(16, "0");
}
