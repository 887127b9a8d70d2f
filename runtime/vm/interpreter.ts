// The hot loop: one switch over the raw opcode byte of pre-decoded slots
// (program.ts). Registers live in one ArrayBuffer seen as BigUint64Array /
// BigInt64Array (for 64-bit add, sub, mul, compares: V8 lowers these to
// machine arithmetic) and as Uint32Array / Int32Array halves (32-bit ALU,
// bitwise ops, shifts, memory addresses: plain small-integer code).
//
// The switch runs the slot's dispatch code (program.ts): the opcode byte,
// or 0x100 | a jump's opcode for an add-immediate fused with the
// conditional jump after it (the step and test of a counted loop: one
// dispatch instead of two).
//
// Case labels are literal opcode bytes, not `InsnClass.ALU64 | AluOp.ADD`:
// V8 only builds a jump table for constant labels, and enum members are
// property loads at run time. test/vm/opcodes.test.ts checks every literal
// against the bpf/isa enums.
//
// Inside the switch, `continue` goes on to the next slot and `break` takes
// the instruction's jump (the code after the switch).
//
// Instructions are counted per straight-line run: `start` is the first slot
// of the current run, and every control transfer adds `pc - start`; the
// budget is checked on taken jumps and calls, so a run stops at most one
// basic block after its budget is spent.
//
// Anything rare or long (calls, atomics, lddw pseudo kinds, LD_ABS/IND,
// memory slow path, faults) lives in ops.ts.

import { add64k, divmod32, divmod64h, endian, mul64, sar64, setSx, shl64, shr64 } from "./alu.js";
import {
  atomic,
  callHelper,
  callLocal,
  callx,
  fault,
  ldPacket,
  lddwPseudo,
  memSlowLoad,
  memSlowStore,
  returnLocal,
} from "./ops.js";
import type { Vm } from "./vm.js";

const REGION_HI = 0x1000;

/** Run from slot `entry` until the frame at `base` exits; r0 is left in the registers. */
export function execute(vm: Vm, entry: number, base: number): void {
  const p = vm.program;
  const ins = p.ins;
  const k64 = p.k64;
  const k32 = p.k32;
  const U64 = vm.U64;
  const U32 = vm.U32;
  const I32 = vm.I32;
  const mem = vm.mem;
  const budget = vm.budget;
  let count = vm.count;
  let pc = entry;
  let start = entry;
  for (;;) {
    const i = pc;
    const b = i << 2;
    const w = ins[b]!;
    const d = (w >> 8) & 15;
    const d2 = d << 1;
    pc = i + 1;
    switch (w >>> 16) {
      // ---- ALU64, K then X (opcode = op | source | 0x07) ----
      // add/sub/mul on the 32-bit halves with an explicit carry: measured
      // faster than BigInt64Array arithmetic, and nothing is allocated.
      case 0x07: { const a = I32[d2]!; const k = ins[b + 2]!; const r = (a + k) | 0; I32[d2 + 1] = (I32[d2 + 1]! + (k >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; I32[d2] = r; continue; } // prettier-ignore
      case 0x0f: { const s2 = (w >> 11) & 30; const a = I32[d2]!; const r = (a + I32[s2]!) | 0; I32[d2 + 1] = (I32[d2 + 1]! + I32[s2 + 1]! + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; I32[d2] = r; continue; } // prettier-ignore
      case 0x17: { const a = I32[d2]!; const k = ins[b + 2]!; I32[d2 + 1] = (I32[d2 + 1]! - (k >> 31) - ((a >>> 0) < (k >>> 0) ? 1 : 0)) | 0; I32[d2] = (a - k) | 0; continue; } // prettier-ignore
      case 0x1f: { const s2 = (w >> 11) & 30; const a = I32[d2]!; const c = I32[s2]!; I32[d2 + 1] = (I32[d2 + 1]! - I32[s2 + 1]! - ((a >>> 0) < (c >>> 0) ? 1 : 0)) | 0; I32[d2] = (a - c) | 0; continue; } // prettier-ignore
      case 0x27: mul64(I32, d2, ins[b + 2]!, ins[b + 2]! >> 31); continue; // prettier-ignore
      case 0x2f: { const s2 = (w >> 11) & 30; mul64(I32, d2, I32[s2]!, I32[s2 + 1]!); continue; } // prettier-ignore
      case 0x37: divmod64h(I32, U64, d2, ins[b + 2]!, ins[b + 2]! >> 31, ins[b + 1] === 1, false); continue; // prettier-ignore
      case 0x3f: { const s2 = (w >> 11) & 30; divmod64h(I32, U64, d2, I32[s2]!, I32[s2 + 1]!, ins[b + 1] === 1, false); continue; } // prettier-ignore
      case 0x97: divmod64h(I32, U64, d2, ins[b + 2]!, ins[b + 2]! >> 31, ins[b + 1] === 1, true); continue; // prettier-ignore
      case 0x9f: { const s2 = (w >> 11) & 30; divmod64h(I32, U64, d2, I32[s2]!, I32[s2 + 1]!, ins[b + 1] === 1, true); continue; } // prettier-ignore
      case 0x47: I32[d2] |= ins[b + 2]!; I32[d2 + 1] |= ins[b + 2]! >> 31; continue; // prettier-ignore
      case 0x4f: { const s2 = (w >> 11) & 30; I32[d2] |= I32[s2]!; I32[d2 + 1] |= I32[s2 + 1]!; continue; } // prettier-ignore
      case 0x57: I32[d2] &= ins[b + 2]!; I32[d2 + 1] &= ins[b + 2]! >> 31; continue; // prettier-ignore
      case 0x5f: { const s2 = (w >> 11) & 30; I32[d2] &= I32[s2]!; I32[d2 + 1] &= I32[s2 + 1]!; continue; } // prettier-ignore
      case 0xa7: I32[d2] ^= ins[b + 2]!; I32[d2 + 1] ^= ins[b + 2]! >> 31; continue; // prettier-ignore
      case 0xaf: { const s2 = (w >> 11) & 30; I32[d2] ^= I32[s2]!; I32[d2 + 1] ^= I32[s2 + 1]!; continue; } // prettier-ignore
      case 0x67: shl64(I32, U32, d2, ins[b + 2]! & 63); continue; // prettier-ignore
      case 0x6f: shl64(I32, U32, d2, U32[(w >> 11) & 30]! & 63); continue; // prettier-ignore
      case 0x77: shr64(U32, d2, ins[b + 2]! & 63); continue; // prettier-ignore
      case 0x7f: shr64(U32, d2, U32[(w >> 11) & 30]! & 63); continue; // prettier-ignore
      case 0xc7: sar64(I32, U32, d2, ins[b + 2]! & 63); continue; // prettier-ignore
      case 0xcf: sar64(I32, U32, d2, U32[(w >> 11) & 30]! & 63); continue; // prettier-ignore
      case 0x87: { const r = -I32[d2]! | 0; I32[d2 + 1] = (~I32[d2 + 1]! + (r === 0 ? 1 : 0)) | 0; I32[d2] = r; continue; } // prettier-ignore
      case 0xb7: setSx(I32, d2, ins[b + 2]!); continue; // prettier-ignore
      case 0xbf: {
        const s2 = (w >> 11) & 30;
        const off = ins[b + 1]!;
        if (off === 0) { I32[d2] = I32[s2]!; I32[d2 + 1] = I32[s2 + 1]!; } // prettier-ignore
        else setSx(I32, d2, off === 8 ? (I32[s2]! << 24) >> 24 : off === 16 ? (I32[s2]! << 16) >> 16 : I32[s2]!); // prettier-ignore
        continue;
      }
      case 0xd7: endian(I32, d2, ins[b + 2]!, true); continue; // prettier-ignore

      // ---- ALU (32-bit, result zero-extended), opcode = op | source | 0x04 ----
      case 0x04: I32[d2] = I32[d2]! + ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x0c: I32[d2] = I32[d2]! + I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x14: I32[d2] = I32[d2]! - ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x1c: I32[d2] = I32[d2]! - I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x24: I32[d2] = Math.imul(I32[d2]!, ins[b + 2]!); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x2c: I32[d2] = Math.imul(I32[d2]!, I32[(w >> 11) & 30]!); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x34: I32[d2] = divmod32(I32[d2]!, ins[b + 2]!, ins[b + 1] === 1, false); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x3c: I32[d2] = divmod32(I32[d2]!, I32[(w >> 11) & 30]!, ins[b + 1] === 1, false); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x94: I32[d2] = divmod32(I32[d2]!, ins[b + 2]!, ins[b + 1] === 1, true); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x9c: I32[d2] = divmod32(I32[d2]!, I32[(w >> 11) & 30]!, ins[b + 1] === 1, true); I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x44: I32[d2] |= ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x4c: I32[d2] |= I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x54: I32[d2] &= ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x5c: I32[d2] &= I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xa4: I32[d2] ^= ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xac: I32[d2] ^= I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x64: I32[d2] = I32[d2]! << ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x6c: I32[d2] = I32[d2]! << I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x74: I32[d2] = I32[d2]! >>> ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x7c: I32[d2] = I32[d2]! >>> I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xc4: I32[d2] = I32[d2]! >> ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xcc: I32[d2] = I32[d2]! >> I32[(w >> 11) & 30]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0x84: I32[d2] = -I32[d2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xb4: I32[d2] = ins[b + 2]!; I32[d2 + 1] = 0; continue; // prettier-ignore
      case 0xbc: {
        const off = ins[b + 1]!;
        const v = I32[(w >> 11) & 30]!;
        I32[d2] = off === 8 ? (v << 24) >> 24 : off === 16 ? (v << 16) >> 16 : v;
        I32[d2 + 1] = 0;
        continue;
      }
      case 0xd4: endian(I32, d2, ins[b + 2]!, false); continue; // prettier-ignore
      case 0xdc: endian(I32, d2, ins[b + 2]!, true); continue; // prettier-ignore

      // ---- JMP (64-bit compares), opcode = op | source | 0x05 ----
      case 0x05: break; // prettier-ignore
      case 0x15: { const k = ins[b + 2]!; if (I32[d2] === k && I32[d2 + 1] === k >> 31) break; continue; } // prettier-ignore
      case 0x1d: { const s2 = (w >> 11) & 30; if (I32[d2] === I32[s2] && I32[d2 + 1] === I32[s2 + 1]) break; continue; } // prettier-ignore
      case 0x55: { const k = ins[b + 2]!; if (!(I32[d2] === k && I32[d2 + 1] === k >> 31)) break; continue; } // prettier-ignore
      case 0x5d: { const s2 = (w >> 11) & 30; if (!(I32[d2] === I32[s2] && I32[d2 + 1] === I32[s2 + 1])) break; continue; } // prettier-ignore
      case 0x25: { const k = ins[b + 2]!; const h = U32[d2 + 1]!; const kh = (k >> 31) >>> 0; if (h > kh || (h === kh && U32[d2]! > k >>> 0)) break; continue; } // prettier-ignore
      case 0x2d: { const s2 = (w >> 11) & 30; const h = U32[d2 + 1]!; const kh = U32[s2 + 1]!; if (h > kh || (h === kh && U32[d2]! > U32[s2]!)) break; continue; } // prettier-ignore
      case 0x35: { const k = ins[b + 2]!; const h = U32[d2 + 1]!; const kh = (k >> 31) >>> 0; if (h > kh || (h === kh && U32[d2]! >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x3d: { const s2 = (w >> 11) & 30; const h = U32[d2 + 1]!; const kh = U32[s2 + 1]!; if (h > kh || (h === kh && U32[d2]! >= U32[s2]!)) break; continue; } // prettier-ignore
      case 0xa5: { const k = ins[b + 2]!; const h = U32[d2 + 1]!; const kh = (k >> 31) >>> 0; if (h < kh || (h === kh && U32[d2]! < k >>> 0)) break; continue; } // prettier-ignore
      case 0xad: { const s2 = (w >> 11) & 30; const h = U32[d2 + 1]!; const kh = U32[s2 + 1]!; if (h < kh || (h === kh && U32[d2]! < U32[s2]!)) break; continue; } // prettier-ignore
      case 0xb5: { const k = ins[b + 2]!; const h = U32[d2 + 1]!; const kh = (k >> 31) >>> 0; if (h < kh || (h === kh && U32[d2]! <= k >>> 0)) break; continue; } // prettier-ignore
      case 0xbd: { const s2 = (w >> 11) & 30; const h = U32[d2 + 1]!; const kh = U32[s2 + 1]!; if (h < kh || (h === kh && U32[d2]! <= U32[s2]!)) break; continue; } // prettier-ignore
      case 0x65: { const k = ins[b + 2]!; const h = I32[d2 + 1]!; const kh = k >> 31; if (h > kh || (h === kh && U32[d2]! > k >>> 0)) break; continue; } // prettier-ignore
      case 0x6d: { const s2 = (w >> 11) & 30; const h = I32[d2 + 1]!; const kh = I32[s2 + 1]!; if (h > kh || (h === kh && U32[d2]! > U32[s2]!)) break; continue; } // prettier-ignore
      case 0x75: { const k = ins[b + 2]!; const h = I32[d2 + 1]!; const kh = k >> 31; if (h > kh || (h === kh && U32[d2]! >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x7d: { const s2 = (w >> 11) & 30; const h = I32[d2 + 1]!; const kh = I32[s2 + 1]!; if (h > kh || (h === kh && U32[d2]! >= U32[s2]!)) break; continue; } // prettier-ignore
      case 0xc5: { const k = ins[b + 2]!; const h = I32[d2 + 1]!; const kh = k >> 31; if (h < kh || (h === kh && U32[d2]! < k >>> 0)) break; continue; } // prettier-ignore
      case 0xcd: { const s2 = (w >> 11) & 30; const h = I32[d2 + 1]!; const kh = I32[s2 + 1]!; if (h < kh || (h === kh && U32[d2]! < U32[s2]!)) break; continue; } // prettier-ignore
      case 0xd5: { const k = ins[b + 2]!; const h = I32[d2 + 1]!; const kh = k >> 31; if (h < kh || (h === kh && U32[d2]! <= k >>> 0)) break; continue; } // prettier-ignore
      case 0xdd: { const s2 = (w >> 11) & 30; const h = I32[d2 + 1]!; const kh = I32[s2 + 1]!; if (h < kh || (h === kh && U32[d2]! <= U32[s2]!)) break; continue; } // prettier-ignore
      case 0x45: { const k = ins[b + 2]!; if (((I32[d2]! & k) | (I32[d2 + 1]! & (k >> 31))) !== 0) break; continue; } // prettier-ignore
      case 0x4d: { const s2 = (w >> 11) & 30; if (((I32[d2]! & I32[s2]!) | (I32[d2 + 1]! & I32[s2 + 1]!)) !== 0) break; continue; } // prettier-ignore
      case 0xe5: {
        // may_goto: taken once this frame's loop budget is spent.
        const left = vm.mayGoto[vm.depth]!;
        if (left === 0) break;
        vm.mayGoto[vm.depth] = left - 1;
        continue;
      }

      // ---- JMP32 (compares on the low halves), opcode = op | source | 0x06 ----
      case 0x06: break; // prettier-ignore
      case 0x16: if (I32[d2] === ins[b + 2]) break; continue; // prettier-ignore
      case 0x1e: if (I32[d2] === I32[(w >> 11) & 30]) break; continue; // prettier-ignore
      case 0x56: if (I32[d2] !== ins[b + 2]) break; continue; // prettier-ignore
      case 0x5e: if (I32[d2] !== I32[(w >> 11) & 30]) break; continue; // prettier-ignore
      case 0x26: if (U32[d2]! > ins[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0x2e: if (U32[d2]! > U32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x36: if (U32[d2]! >= ins[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0x3e: if (U32[d2]! >= U32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xa6: if (U32[d2]! < ins[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0xae: if (U32[d2]! < U32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xb6: if (U32[d2]! <= ins[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0xbe: if (U32[d2]! <= U32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x66: if (I32[d2]! > ins[b + 2]!) break; continue; // prettier-ignore
      case 0x6e: if (I32[d2]! > I32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x76: if (I32[d2]! >= ins[b + 2]!) break; continue; // prettier-ignore
      case 0x7e: if (I32[d2]! >= I32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xc6: if (I32[d2]! < ins[b + 2]!) break; continue; // prettier-ignore
      case 0xce: if (I32[d2]! < I32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xd6: if (I32[d2]! <= ins[b + 2]!) break; continue; // prettier-ignore
      case 0xde: if (I32[d2]! <= I32[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x46: if ((I32[d2]! & ins[b + 2]!) !== 0) break; continue; // prettier-ignore
      case 0x4e: if ((I32[d2]! & I32[(w >> 11) & 30]!) !== 0) break; continue; // prettier-ignore

      // ---- calls and exit: they change frames, so the run count is settled first ----
      case 0x85:
      case 0x8d:
      case 0x95: {
        count += pc - start;
        vm.count = count;
        if ((w & 255) === 0x95) {
          if (vm.depth === base) return;
          pc = returnLocal(vm);
        } else if ((w & 255) === 0x8d) {
          pc = callx(vm, i, d);
        } else if (((w >> 12) & 15) === 1) {
          pc = callLocal(vm, i, ins[b + 1]!);
        } else {
          callHelper(vm, i, ins[b + 2]!, (w >> 12) & 15);
        }
        count = vm.count;
        if (count > budget) fault(vm, i, "budget", `instruction budget of ${budget} exhausted`);
        start = pc;
        continue;
      }

      // ---- lddw and the legacy packet loads ----
      case 0x18: {
        if (((w >> 12) & 15) !== 0) {
          vm.count = count + i + 2 - start;
          lddwPseudo(vm, i);
        }
        I32[d2] = k32[i << 1]!;
        I32[d2 + 1] = k32[(i << 1) + 1]!;
        pc = i + 2;
        continue;
      }
      case 0x20:
      case 0x28:
      case 0x30:
      case 0x40:
      case 0x48:
      case 0x50: {
        // prettier-ignore
        vm.count = count + pc - start;
        if (!ldPacket(vm, i, w, ins[b + 2]!)) {
          // Out of bounds: Linux ends the program with r0 = 0.
          I32[0] = 0;
          I32[1] = 0;
          vm.depth = base;
          vm.count = count + pc - start;
          return;
        }
        continue;
      }

      // ---- loads: dst = *(size *)(src + off); region in the high half, offset in the low ----
      case 0x61:
      case 0x69:
      case 0x71:
      case 0x79:
      case 0x81:
      case 0x89:
      case 0x91: {
        // prettier-ignore
        const s2 = (w >> 11) & 30;
        const slot = U32[s2 + 1]! - REGION_HI;
        const o = U32[s2]! + ins[b + 1]!;
        const op = w & 255;
        const size = op === 0x79 ? 8 : op === 0x61 || op === 0x81 ? 4 : op === 0x69 || op === 0x89 ? 2 : 1; // prettier-ignore
        if (slot < 0 || slot >= mem.rlens.length || o < 0 || o + size > mem.rlens[slot]!) {
          vm.count = count + pc - start;
          memSlowLoad(vm, i, d, s2 >> 1, ins[b + 1]!, op);
          continue;
        }
        const v = mem.views[slot]!;
        if (op === 0x61) { U32[d2] = v.getUint32(o, true); U32[d2 + 1] = 0; } // prettier-ignore
        else if (op === 0x79) { U32[d2] = v.getUint32(o, true); U32[d2 + 1] = v.getUint32(o + 4, true); } // prettier-ignore
        else if (op === 0x71) { U32[d2] = v.getUint8(o); U32[d2 + 1] = 0; } // prettier-ignore
        else if (op === 0x69) { U32[d2] = v.getUint16(o, true); U32[d2 + 1] = 0; } // prettier-ignore
        else setSx(I32, d2, op === 0x81 ? v.getInt32(o, true) : op === 0x89 ? v.getInt16(o, true) : v.getInt8(o)); // prettier-ignore
        continue;
      }

      // ---- stores: *(size *)(dst + off) = src (STX) or imm (ST) ----
      case 0x62:
      case 0x6a:
      case 0x72:
      case 0x7a:
      case 0x63:
      case 0x6b:
      case 0x73:
      case 0x7b: {
        // prettier-ignore
        const slot = U32[d2 + 1]! - REGION_HI;
        const o = U32[d2]! + ins[b + 1]!;
        const op = w & 255;
        const sz = op & 0x18;
        const size = sz === 0x18 ? 8 : sz === 0 ? 4 : sz === 8 ? 2 : 1;
        const s2 = (w >> 11) & 30;
        const isImm = (op & 7) === 2;
        const lo = isImm ? ins[b + 2]! : I32[s2]!;
        if (slot < 0 || slot >= mem.wlens.length || o < 0 || o + size > mem.wlens[slot]!) {
          vm.count = count + pc - start;
          memSlowStore(vm, i, d, ins[b + 1]!, size, isImm ? k64[i]! : U64[s2 >> 1]!);
          continue;
        }
        const v = mem.views[slot]!;
        if (size === 4) v.setInt32(o, lo, true);
        else if (size === 8) {
          v.setInt32(o, lo, true);
          v.setInt32(o + 4, isImm ? lo >> 31 : I32[s2 + 1]!, true);
        } else if (size === 1) v.setUint8(o, lo & 0xff);
        else v.setUint16(o, lo & 0xffff, true);
        continue;
      }
      case 0xc3:
      case 0xcb:
      case 0xd3:
      case 0xdb: // prettier-ignore
        vm.count = count + pc - start;
        atomic(vm, i, w, ins[b + 1]!, ins[b + 2]!);
        continue;

      // ---- fused: add imm to rX (slot i), then jump on rX vs imm (slot i + 1) ----
      // 64-bit: the add as case 0x07, then the compare on the new halves.
      case 0x115: { const h = add64k(I32, d2, ins[b + 2]!); const k = ins[b + 6]!; pc = i + 2; if (I32[d2] === k && h === k >> 31) break; continue; } // prettier-ignore
      case 0x155: { const h = add64k(I32, d2, ins[b + 2]!); const k = ins[b + 6]!; pc = i + 2; if (!(I32[d2] === k && h === k >> 31)) break; continue; } // prettier-ignore
      case 0x125: { const h = add64k(I32, d2, ins[b + 2]!) >>> 0; const k = ins[b + 6]!; const kh = (k >> 31) >>> 0; pc = i + 2; if (h > kh || (h === kh && U32[d2]! > k >>> 0)) break; continue; } // prettier-ignore
      case 0x135: { const h = add64k(I32, d2, ins[b + 2]!) >>> 0; const k = ins[b + 6]!; const kh = (k >> 31) >>> 0; pc = i + 2; if (h > kh || (h === kh && U32[d2]! >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x1a5: { const h = add64k(I32, d2, ins[b + 2]!) >>> 0; const k = ins[b + 6]!; const kh = (k >> 31) >>> 0; pc = i + 2; if (h < kh || (h === kh && U32[d2]! < k >>> 0)) break; continue; } // prettier-ignore
      case 0x1b5: { const h = add64k(I32, d2, ins[b + 2]!) >>> 0; const k = ins[b + 6]!; const kh = (k >> 31) >>> 0; pc = i + 2; if (h < kh || (h === kh && U32[d2]! <= k >>> 0)) break; continue; } // prettier-ignore
      // 32-bit: the add as case 0x04 (high half cleared), then the compare on the low half.
      case 0x116: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v === ins[b + 6]) break; continue; } // prettier-ignore
      case 0x156: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v !== ins[b + 6]) break; continue; } // prettier-ignore
      case 0x126: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v >>> 0 > ins[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x136: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v >>> 0 >= ins[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x1a6: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v >>> 0 < ins[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x1b6: { const v = (I32[d2] = (I32[d2]! + ins[b + 2]!) | 0); I32[d2 + 1] = 0; pc = i + 2; if (v >>> 0 <= ins[b + 6]! >>> 0) break; continue; } // prettier-ignore

      default:
        vm.count = count + pc - start;
        fault(vm, i, "invalid", `invalid instruction: ${p.reasons.get(i) ?? "unknown opcode"}`);
    }
    // Only taken jumps get here: every other case continues the loop. The
    // jump is slot pc - 1: i, or i + 1 after a fused pair.
    const jump = pc - 1;
    count += pc - start;
    if (count > budget) {
      vm.count = count;
      fault(vm, jump, "budget", `instruction budget of ${budget} exhausted`);
    }
    pc = start = ins[(jump << 2) + 1]!;
  }
}
