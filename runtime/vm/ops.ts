// The interpreter's slow paths, out of the hot loop: faults, memory
// accesses the fast path could not serve (hooked, read-only, unmapped, out
// of bounds), atomics, calls and returns, lddw pseudo kinds and the legacy
// packet loads. Each gets the VM and the slot index so faults can name it.

import { AtomicOp, CallSrc, LdImm64Src } from "../../bpf/isa/index.js";
import { CODE_HI, REGION_HI, WORD_BYTES, WORD_VALUE, type Region } from "./memory.js";
import {
  MAX_CALL_FRAMES,
  MAY_GOTO_BUDGET,
  STACK_SIZE,
  VmError,
  isRegisterHelper,
  type FaultKind,
} from "./types.js";
import type { Vm } from "./vm.js";

// Local copies for the per-packet paths: under tsx and vitest an imported
// binding is a getter call on every read.
const HI = REGION_HI;
const VALUE = WORD_VALUE;
const BYTES = WORD_BYTES;

export function fault(
  vm: Vm,
  pc: number,
  kind: FaultKind,
  message: string,
  region?: Region,
): never {
  void vm;
  throw new VmError(kind, message, region, pc);
}

export function budgetFault(vm: Vm, pc: number): never {
  fault(vm, pc, "budget", `instruction budget of ${vm.budget} exhausted`);
}

/** Run `f`, giving a VmError without a slot (from Memory) the slot `pc`. */
function at<T>(pc: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof VmError && e.pc < 0) e.pc = pc;
    throw e;
  }
}

/**
 * The address `reg + off` (64-bit wrap-around). When the base points into a
 * region and the offset leads out of it, the fault names that region rather
 * than the unmapped address the sum lands on.
 */
function address(vm: Vm, reg: number, off: number, size: number, write: boolean): bigint {
  const base = vm.U64[reg]!;
  const ptr = BigInt.asUintN(64, base + BigInt(off));
  const from = vm.mem.regionOf(base);
  if (from !== undefined && vm.mem.regionOf(ptr)?.region !== from.region) {
    const { region, offset } = from;
    throw new VmError(
      "memory",
      `${write ? "write" : "read"} of ${size} bytes at offset ${offset + off} of ${region.name} (size ${region.bytes.length})`,
      region,
    );
  }
  return ptr;
}

const SIZE_OF: Record<number, 1 | 2 | 4 | 8> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };

function loadValue(vm: Vm, ptr: bigint, size: 1 | 2 | 4 | 8): bigint {
  const at0 = vm.mem.regionOf(ptr);
  const hooked = at0?.region.access?.load?.(at0.offset, size);
  // Not truncated to `size`: a context hook may answer a 4-byte load of
  // data/data_end with a 64-bit packet pointer, as the kernel's rewrite does.
  if (hooked !== undefined) return BigInt.asUintN(64, hooked);
  const bytes = vm.mem.read(ptr, size);
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]!);
  return v;
}

function storeValue(vm: Vm, ptr: bigint, size: 1 | 2 | 4 | 8, value: bigint): void {
  const at0 = vm.mem.regionOf(ptr);
  if (at0?.region.access?.store?.(at0.offset, size, BigInt.asUintN(size * 8, value))) return;
  const bytes = new Uint8Array(size);
  for (let k = 0; k < size; k++) bytes[k] = Number((value >> BigInt(8 * k)) & 0xffn);
  vm.mem.write(ptr, bytes);
}

/**
 * An aligned 4-byte load from a hooked region that its RegionAccess.words
 * answers (a context field: data, data_end, ifindex...), with no BigInt and
 * nothing allocated. False when the table has no answer: the hook decides.
 */
function hookedWordLoad(vm: Vm, dst: number, src: number, off: number): boolean {
  const U32 = vm.U32;
  const slot = U32[src * 2 + 1]! - HI;
  const words = slot >= 0 ? vm.mem.words[slot] : undefined;
  if (words === undefined) return false;
  const o = U32[src * 2]! + off;
  const at = (o >> 2) * 3;
  if (o < 0 || (o & 3) !== 0 || at >= words.length) return false;
  const kind = words[at]!;
  const I32 = vm.I32;
  if (kind === VALUE) {
    I32[dst * 2] = words[at + 1]!;
    I32[dst * 2 + 1] = words[at + 2]!;
    return true;
  }
  if (kind !== BYTES) return false;
  const bytes = vm.mem.regions[slot]!.bytes;
  I32[dst * 2] = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
  I32[dst * 2 + 1] = 0;
  return true;
}

/** LDX (MEM or MEMSX) that the fast path refused. */
export function memSlowLoad(vm: Vm, pc: number, dst: number, src: number, off: number, op: number) {
  if (op === 0x61 && hookedWordLoad(vm, dst, src, off)) return;
  const size = SIZE_OF[op & 0x18]!;
  const v = at(pc, () => loadValue(vm, address(vm, src, off, size, false), size));
  const signed = (op & 0xe0) === 0x80;
  vm.U64[dst] = signed ? BigInt.asUintN(64, BigInt.asIntN(size * 8, v)) : v;
}

/** ST/STX (MEM) that the fast path refused. */
export function memSlowStore(
  vm: Vm,
  pc: number,
  dst: number,
  off: number,
  size: 1 | 2 | 4 | 8,
  value: bigint,
) {
  at(pc, () => storeValue(vm, address(vm, dst, off, size, true), size, value));
}

/**
 * add/or/and/xor (with or without fetch) of 4 or 8 bytes on plain writable
 * memory (a map value, the stack), on the registers' 32-bit halves: no
 * BigInt, no closure, nothing allocated. False when the slow path must do
 * it (hooked or read-only region, out of bounds, xchg, cmpxchg, acquire and
 * release), which also raises the faults.
 */
function atomicFast(vm: Vm, w: number, off: number, imm: number): boolean {
  const kind = imm & ~1; // the operation without FETCH
  if (kind !== 0x00 && kind !== 0x40 && kind !== 0x50 && kind !== 0xa0) return false;
  const sz = w & 0x18;
  if (sz !== 0x00 && sz !== 0x18) return false;
  const mem = vm.mem;
  const U32 = vm.U32;
  const I32 = vm.I32;
  const d2 = ((w >> 8) & 15) * 2;
  const s2 = ((w >> 12) & 15) * 2;
  const slot = U32[d2 + 1]! - HI;
  const o = U32[d2]! + off;
  const size = sz === 0 ? 4 : 8;
  if (slot < 0 || slot >= mem.wlens.length || o < 0 || o + size > mem.wlens[slot]!) return false;
  const v = mem.views[slot]!;
  const lo = v.getInt32(o, true);
  const x = I32[s2]!;
  let rlo: number;
  let rhi = 0;
  const hi = size === 8 ? v.getInt32(o + 4, true) : 0;
  const xh = size === 8 ? I32[s2 + 1]! : 0;
  if (kind === 0x00) {
    rlo = (lo + x) | 0;
    rhi = (hi + xh + (rlo >>> 0 < lo >>> 0 ? 1 : 0)) | 0;
  } else if (kind === 0x40) {
    rlo = lo | x;
    rhi = hi | xh;
  } else if (kind === 0x50) {
    rlo = lo & x;
    rhi = hi & xh;
  } else {
    rlo = lo ^ x;
    rhi = hi ^ xh;
  }
  v.setInt32(o, rlo, true);
  if (size === 8) v.setInt32(o + 4, rhi, true);
  if ((imm & 1) !== 0) {
    // FETCH: the old value to src (zero-extended for W).
    I32[s2] = lo;
    I32[s2 + 1] = hi;
  }
  return true;
}

/** STX | ATOMIC: read-modify-write, xchg, cmpxchg, load-acquire, store-release. */
export function atomic(vm: Vm, pc: number, w: number, off: number, imm: number): void {
  if (atomicFast(vm, w, off, imm)) return;
  const dst = (w >> 8) & 15;
  const src = (w >> 12) & 15;
  const size = SIZE_OF[w & 0x18]!;
  const bits = size * 8;
  at(pc, () => {
    if (imm === AtomicOp.LOAD_ACQ) {
      vm.U64[dst] = loadValue(vm, address(vm, src, off, size, false), size);
      return;
    }
    const ptr = address(vm, dst, off, size, true);
    if (imm === AtomicOp.STORE_REL) {
      storeValue(vm, ptr, size, vm.U64[src]!);
      return;
    }
    const old = loadValue(vm, ptr, size);
    const x = BigInt.asUintN(bits, vm.U64[src]!);
    let result: bigint;
    switch (imm & ~AtomicOp.FETCH_ADD) {
      case AtomicOp.ADD:
        result = old + x;
        break;
      case AtomicOp.OR:
        result = old | x;
        break;
      case AtomicOp.AND:
        result = old & x;
        break;
      case AtomicOp.XOR:
        result = old ^ x;
        break;
      case AtomicOp.XCHG & ~AtomicOp.FETCH_ADD:
        result = x;
        break;
      default: {
        // CMPXCHG: compare with r0, old value to r0 (zero-extended for W).
        const expected = BigInt.asUintN(bits, vm.U64[0]!);
        if (old === expected) storeValue(vm, ptr, size, x);
        vm.U64[0] = old;
        return;
      }
    }
    storeValue(vm, ptr, size, result);
    if (imm & AtomicOp.FETCH_ADD) vm.U64[src] = old;
  });
}

/** Enter a new frame at `target`: r6-r9 and the return slot saved, a zeroed stack. */
export function enterFrame(vm: Vm, pc: number, target: number): number {
  const depth = vm.depth;
  if (depth + 1 >= MAX_CALL_FRAMES) {
    fault(vm, pc, "call", `call depth exceeds ${MAX_CALL_FRAMES} frames`);
  }
  if (target < 0 || target >= vm.program.n) {
    fault(vm, pc, "call", `call target ${target} is outside the code (0..${vm.program.n - 1})`);
  }
  for (let r = 0; r < 4; r++) vm.saved[depth * 4 + r] = vm.U64[6 + r]!;
  vm.retPc[depth] = pc + 1;
  const next = depth + 1;
  vm.depth = next;
  vm.mem.freshFrame(next);
  vm.mayGoto[next] = MAY_GOTO_BUDGET;
  vm.U32[20] = STACK_SIZE;
  vm.U32[21] = REGION_HI + next;
  return target;
}

export function callLocal(vm: Vm, pc: number, target: number): number {
  return enterFrame(vm, pc, target);
}

/** `exit` from a subprogram: restore the caller's r6-r9 and r10, return to it. */
export function returnLocal(vm: Vm): number {
  const depth = vm.depth - 1;
  vm.depth = depth;
  for (let r = 0; r < 4; r++) vm.U64[6 + r] = vm.saved[depth * 4 + r]!;
  vm.U32[20] = STACK_SIZE;
  vm.U32[21] = REGION_HI + depth;
  return vm.retPc[depth]!;
}

/**
 * callx: a code pointer (from `lddw rX, func`) calls that subprogram; any
 * other value is taken as a helper id, as the conformance suite's callx
 * test does (`mov r2, 5; callx r2` calls helper 5).
 */
export function callx(vm: Vm, pc: number, reg: number): number {
  const hi = vm.U32[reg * 2 + 1]!;
  const lo = vm.U32[reg * 2]!;
  if (hi === CODE_HI) return enterFrame(vm, pc, lo);
  if (hi !== 0) fault(vm, pc, "call", `callx to 0x${vm.U64[reg]!.toString(16)}: not a function`);
  callHelper(vm, pc, lo | 0, CallSrc.HELPER);
  return pc + 1;
}

/**
 * What a call fault names, made only for the fault (a string, or a closure
 * under tsx's keepNames, per call would be the call's only allocation).
 */
function callName(kfunc: boolean, id: number): string {
  return kfunc ? `kfunc ${id}` : `helper ${id}`;
}

/** `call imm` with src 0 (helper) or 2 (kfunc by BTF id); the result goes to r0. */
export function callHelper(vm: Vm, pc: number, id: number, src: number): void {
  const kfunc = src === CallSrc.KFUNC;
  const fn = kfunc ? vm.kfuncs.get(id) : vm.helpers.get(id);
  if (fn === undefined) fault(vm, pc, "call", `${callName(kfunc, id)} not implemented`);
  const U64 = vm.U64;
  let r: unknown;
  const registers = isRegisterHelper(fn);
  try {
    // A register helper reads r1-r5 from the register file: no BigInt per call.
    r = registers ? fn(vm) : fn(vm, U64[1]!, U64[2]!, U64[3]!, U64[4]!, U64[5]!);
  } catch (e) {
    helperThrew(vm, pc, id, src, e);
  }
  if (r === undefined && registers) return; // r0 written by the helper
  helperResult(vm, pc, id, src, r);
}

/**
 * callHelper's r0 from what the helper returned (a register helper that
 * returned undefined wrote r0 itself and is not passed here).
 */
export function helperResult(vm: Vm, pc: number, id: number, src: number, r: unknown): void {
  if (typeof r === "number" && Number.isSafeInteger(r)) {
    // r0 = r modulo 2^64 as two 32-bit halves (floor keeps negatives two's complement).
    const high = Math.floor(r / 4294967296);
    vm.U32[0] = r - high * 4294967296;
    vm.U32[1] = high;
    return;
  }
  if (typeof r !== "bigint")
    fault(vm, pc, "helper", `${callName(src === CallSrc.KFUNC, id)} returned ${typeof r}, not a bigint`); // prettier-ignore
  vm.U64[0] = BigInt.asUintN(64, r);
}

/** callHelper's answer to a helper that threw: a VmError gets the call's pc, anything else is a fault. */
export function helperThrew(vm: Vm, pc: number, id: number, src: number, e: unknown): never {
  if (e instanceof VmError) {
    if (e.pc < 0) e.pc = pc;
    throw e;
  }
  fault(
    vm,
    pc,
    "helper",
    `${callName(src === CallSrc.KFUNC, id)} threw: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/** First execution of an lddw with a pseudo src: resolve it once and cache the value. */
export function lddwPseudo(vm: Vm, pc: number): void {
  const p = vm.program;
  const b = pc * 4;
  const src = (p.ins[b]! >> 12) & 15;
  const imm = p.ins[b + 2]!;
  const next = p.ins[b + 3]!;
  let value: bigint | undefined;
  try {
    value = vm.ldImm64Resolver?.(src, imm, next, vm);
  } catch (e) {
    if (e instanceof VmError) {
      e.pc = pc;
      throw e;
    }
    const msg = e instanceof Error ? e.message : String(e);
    fault(vm, pc, "helper", `lddw src ${src} imm ${imm}: resolver threw: ${msg}`);
  }
  if (value === undefined && src === LdImm64Src.FUNC) value = vm.codePointer(pc + 1 + imm);
  if (value === undefined) fault(vm, pc, "invalid", `lddw src ${src} imm ${imm} is not resolved`);
  p.k64[pc] = BigInt.asUintN(64, value);
  p.ins[b] = p.ins[b]! & ~(15 << 12);
}

/**
 * LD_ABS / LD_IND: r0 = big-endian load from the packet at imm (+ src).
 * Returns false when out of bounds (the caller ends the program with r0 = 0).
 */
export function ldPacket(vm: Vm, pc: number, w: number, imm: number): boolean {
  const packet = vm.mem.find("packet");
  if (packet === undefined) fault(vm, pc, "memory", "LD_ABS/LD_IND without a packet region");
  const size = SIZE_OF[w & 0x18]!;
  let offset = imm;
  if ((w & 0xe0) === 0x40) offset += vm.I32[((w >> 12) & 15) * 2]!;
  const bytes = packet.bytes;
  if (offset < 0 || offset + size > bytes.length) return false;
  let v = 0;
  for (let k = 0; k < size; k++) v = v * 256 + bytes[offset + k]!;
  vm.U64[0] = BigInt(v);
  return true;
}
