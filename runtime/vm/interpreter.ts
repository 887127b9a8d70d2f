// The hot loop: one switch over the dispatch code of pre-decoded slots
// (program.ts), in a function that calls nothing. Registers live in the
// VM's register file, read and written here as 32-bit halves (index 2n =
// low, 2n + 1 = high; unsigned reads are `>>> 0`): 64-bit add, sub, mul,
// shifts and compares are done on the halves, which V8 compiles to plain
// machine arithmetic without BigInt. The loop reads registers and code
// through one Int32Array, `vm.cells` (registers at 0..31, slot i's words
// from CELLS_CODE + 4i; vm.I32 and program.ins are views of it): each
// typed array the loop touches costs a map check and reloads of its length
// and data pointer per dispatch, which V8 does not hoist out of the loop.
//
// Why nothing is called (not even the small helpers of alu.ts): V8 must
// assume a call may change any object, so a loop containing one reloads
// the typed arrays' fields (data pointer, length, and where the process has
// ever detached an ArrayBuffer, the detached bit) and re-checks their maps
// at every access; and a function this large exhausts V8's inlining budget,
// so small helpers stay calls. Everything that calls out — calls, exit,
// lddw pseudo kinds, LD_ABS/LD_IND, memory accesses the fast path refuses
// (hooked, read-only, out of bounds, unmapped), atomics, 64-bit division
// with signed or wide operands, invalid instructions, budget faults — is
// handed back to `execute`, which runs it with step.ts and re-enters.
//
// The switch runs the slot's dispatch code (program.ts): the opcode byte,
// or 0x100 | a jump's opcode for an add-immediate fused with the
// conditional jump after it (the step and test of a counted loop: one
// dispatch instead of two), or 0x200 | a jump's opcode for a 64-bit register
// add (`rD += rS`) followed by such a pair (three slots, one dispatch). Each
// fused form is its own case with its arithmetic written out: measured here,
// a nested switch or a generic compare inside one shared case costs about
// what the saved dispatch does.
//
// Case labels are literal opcode bytes, not `InsnClass.ALU64 | AluOp.ADD`:
// V8 only builds a jump table for constant labels, and enum members are
// property loads at run time. test/vm/opcodes.test.ts checks every literal
// against the bpf/isa enums.
//
// Inside the switch, `continue` goes on to the next slot, `break` takes
// the instruction's jump (the code after the switch), and `return i` hands
// slot i to step.ts (the OUT cases).
//
// Instructions are counted per straight-line run: `start` is the first slot
// of the current run, and every control transfer adds `pc - start`; the
// budget is checked on taken jumps and calls, so a run stops at most one
// basic block after its budget is spent.

import { jumpBudgetFault, step } from "./step.js";
import type { Vm } from "./vm.js";

const REGION_HI = 0x1000;

/** Run from slot `entry` until the frame at `base` exits; r0 is left in the registers. */
export function execute(vm: Vm, entry: number, base: number): void {
  let pc = entry;
  for (;;) {
    const at = run(vm, pc);
    if (at < 0) jumpBudgetFault(vm, ~at);
    pc = step(vm, at, base);
    if (pc < 0) return;
  }
}

/** Calls of `run` on its no-op path (see warmInterpreter). */
const WARM_CALLS = 100;
let warmed = false;

/**
 * Give `run` type feedback for its entry and exit code before its first
 * real run, once per process. V8 allocates a function's feedback vector
 * only after it has run a while, so when the first call spends its time in
 * one long loop, the loads at its entry (vm.program, vm.I32, ...) run
 * without one; the optimized code then deoptimizes at its first
 * instruction, and every later call runs the loop in on-stack-replacement
 * code, whose loop variables V8 cannot type (tagged pc, map checks of the
 * code array at every instruction). Slot `n` (past the end of the code)
 * returns at once: nothing runs, vm.count is unchanged.
 */
export function warmInterpreter(vm: Vm): void {
  if (warmed) return;
  warmed = true;
  for (let k = 0; k < WARM_CALLS; k++) run(vm, vm.program.n);
}

/** Clip of the budget left that the int32 count in `run` is tested against. */
const ROOM_MAX = 1 << 30;

/**
 * The budget left as run's int32 `room`: `ran > room` whenever
 * `ran > left` for an integer ran in [0, 2^31 - 2^28) (ROOM_MAX bounds the
 * clip; NaN gives 0, so every jump makes the exact test, which NaN never fails).
 */
function roomFor(left: number): number {
  if (left >= ROOM_MAX) return ROOM_MAX;
  if (left >= 0) return Math.floor(left) | 0;
  return left < 0 ? -1 : 0;
}

/**
 * Run from slot `entry` with vm.count instructions counted so far, until an
 * instruction for step.ts: returns its slot with vm.count the count before
 * it; or, when a taken jump spends the budget, ~(the jump's slot) with
 * vm.count including the jump.
 */
function run(vm: Vm, entry: number): number {
  // Registers at A[0..31], slot i's words at A[CODE + 4i...] (Vm.cells).
  const A = vm.cells;
  const k32 = vm.program.k32;
  const mem = vm.mem;
  const views = mem.views;
  const rlens = mem.rlens;
  const wlens = mem.wlens;
  const nregions = rlens.length;
  const budget = vm.budget;
  // The count is kept as `base` (vm.count at entry or at the last re-check,
  // any number) plus `ran`, an int32 of the slots run since; the budget
  // test per taken jump is `ran > room`, both int32, with `room` the budget
  // left after `base` clipped to ROOM_MAX. Only when `ran` passes `room`
  // is the exact test `base + ran > budget` made, and if the budget is not
  // spent yet (the clip), ran moves into base. Counting in a double
  // (vm.count may pass 2^31) kept the count tagged with overflow checks.
  let base = vm.count;
  let ran = 0;
  let room = roomFor(budget - base);
  let pc = entry | 0;
  let start = pc;
  for (;;) {
    // The mask changes no slot number (program.ts MAX_SLOTS) but
    // gives V8 their range: i + 3, b = i << 2 and b + 11 then cannot
    // overflow, and their overflow checks go (8% on the tight loop).
    const i = pc & 0xfffffff;
    const b = (i << 2) + 32; // CELLS_CODE, a literal so V8 folds it into the addressing
    const w = A[b]!;
    const d2 = (w >> 7) & 30;
    pc = i + 1;
    switch (w >>> 16) {
      // ---- ALU64, K then X (opcode = op | source | 0x07) ----
      case 0x07: { const a = A[d2]!; const k = A[b + 2]!; const r = (a + k) | 0; A[d2 + 1] = (A[d2 + 1]! + (k >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2] = r; continue; } // prettier-ignore
      case 0x0f: { const s2 = (w >> 11) & 30; const a = A[d2]!; const r = (a + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2] = r; continue; } // prettier-ignore
      case 0x17: { const a = A[d2]!; const k = A[b + 2]!; A[d2 + 1] = (A[d2 + 1]! - (k >> 31) - ((a >>> 0) < (k >>> 0) ? 1 : 0)) | 0; A[d2] = (a - k) | 0; continue; } // prettier-ignore
      case 0x1f: { const s2 = (w >> 11) & 30; const a = A[d2]!; const c = A[s2]!; A[d2 + 1] = (A[d2 + 1]! - A[s2 + 1]! - ((a >>> 0) < (c >>> 0) ? 1 : 0)) | 0; A[d2] = (a - c) | 0; continue; } // prettier-ignore
      case 0x27:
      case 0x2f: {
        // 64 x 64 -> 64: the low halves' full product (its high word from
        // 16-bit pieces, each partial product exact in a double) plus the
        // cross terms' low words.
        const s2 = (w >> 11) & 30;
        const blo = (w & 8) !== 0 ? A[s2]! : A[b + 2]!;
        const bhi = (w & 8) !== 0 ? A[s2 + 1]! : blo >> 31;
        const alo = A[d2]!;
        const a0 = alo & 0xffff;
        const a1 = alo >>> 16;
        const b0 = blo & 0xffff;
        const b1 = blo >>> 16;
        const t = a1 * b0 + ((a0 * b0) >>> 16);
        const u = a0 * b1 + (t & 0xffff);
        const hi = a1 * b1 + (t >>> 16) + (u >>> 16);
        A[d2 + 1] = (hi + Math.imul(alo, bhi) + Math.imul(A[d2 + 1]!, blo)) | 0;
        A[d2] = Math.imul(alo, blo);
        continue;
      }
      case 0x37:
      case 0x3f:
      case 0x97:
      case 0x9f: {
        // Unsigned with both operands below 2^32 here; anything else in step.ts (BigInt).
        const s2 = (w >> 11) & 30;
        const blo = (w & 8) !== 0 ? A[s2]! : A[b + 2]!;
        const bhi = (w & 8) !== 0 ? A[s2 + 1]! : blo >> 31;
        if (A[b + 1] !== 0 || bhi !== 0 || A[d2 + 1] !== 0) {
          vm.count = base + ran + i - start;
          return i;
        }
        const a = A[d2]! >>> 0;
        const y = blo >>> 0;
        const mod = (w & 0xf0) === 0x90;
        A[d2] = y === 0 ? (mod ? a : 0) : mod ? a % y : Math.floor(a / y);
        continue;
      }
      case 0x47: A[d2] |= A[b + 2]!; A[d2 + 1] |= A[b + 2]! >> 31; continue; // prettier-ignore
      case 0x4f: { const s2 = (w >> 11) & 30; A[d2] |= A[s2]!; A[d2 + 1] |= A[s2 + 1]!; continue; } // prettier-ignore
      case 0x57: A[d2] &= A[b + 2]!; A[d2 + 1] &= A[b + 2]! >> 31; continue; // prettier-ignore
      case 0x5f: { const s2 = (w >> 11) & 30; A[d2] &= A[s2]!; A[d2 + 1] &= A[s2 + 1]!; continue; } // prettier-ignore
      case 0xa7: A[d2] ^= A[b + 2]!; A[d2 + 1] ^= A[b + 2]! >> 31; continue; // prettier-ignore
      case 0xaf: { const s2 = (w >> 11) & 30; A[d2] ^= A[s2]!; A[d2 + 1] ^= A[s2 + 1]!; continue; } // prettier-ignore
      case 0x67:
      case 0x6f: {
        const n = ((w & 8) !== 0 ? A[(w >> 11) & 30]! : A[b + 2]!) & 63;
        const lo = A[d2]!;
        if (n >= 32) {
          A[d2 + 1] = lo << (n - 32);
          A[d2] = 0;
        } else if (n !== 0) {
          A[d2 + 1] = (A[d2 + 1]! << n) | (lo >>> (32 - n));
          A[d2] = lo << n;
        }
        continue;
      }
      case 0x77:
      case 0x7f: {
        const n = ((w & 8) !== 0 ? A[(w >> 11) & 30]! : A[b + 2]!) & 63;
        const hi = A[d2 + 1]!;
        if (n >= 32) {
          A[d2] = hi >>> (n - 32);
          A[d2 + 1] = 0;
        } else if (n !== 0) {
          A[d2] = (A[d2]! >>> n) | (hi << (32 - n));
          A[d2 + 1] = hi >>> n;
        }
        continue;
      }
      case 0xc7:
      case 0xcf: {
        const n = ((w & 8) !== 0 ? A[(w >> 11) & 30]! : A[b + 2]!) & 63;
        const hi = A[d2 + 1]!;
        if (n >= 32) {
          A[d2] = hi >> (n - 32);
          A[d2 + 1] = hi >> 31;
        } else if (n !== 0) {
          A[d2] = (A[d2]! >>> n) | (hi << (32 - n));
          A[d2 + 1] = hi >> n;
        }
        continue;
      }
      case 0x87: { const r = -A[d2]! | 0; A[d2 + 1] = (~A[d2 + 1]! + (r === 0 ? 1 : 0)) | 0; A[d2] = r; continue; } // prettier-ignore
      case 0xb7: { const k = A[b + 2]!; A[d2] = k; A[d2 + 1] = k >> 31; continue; } // prettier-ignore
      case 0xbf: {
        const s2 = (w >> 11) & 30;
        const off = A[b + 1]!;
        if (off === 0) { A[d2] = A[s2]!; A[d2 + 1] = A[s2 + 1]!; continue; } // prettier-ignore
        const v = off === 8 ? (A[s2]! << 24) >> 24 : off === 16 ? (A[s2]! << 16) >> 16 : A[s2]!; // prettier-ignore
        A[d2] = v;
        A[d2 + 1] = v >> 31;
        continue;
      }

      // ---- ALU (32-bit, result zero-extended), opcode = op | source | 0x04 ----
      case 0x04: A[d2] = A[d2]! + A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x0c: A[d2] = A[d2]! + A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x14: A[d2] = A[d2]! - A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x1c: A[d2] = A[d2]! - A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x24: A[d2] = Math.imul(A[d2]!, A[b + 2]!); A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x2c: A[d2] = Math.imul(A[d2]!, A[(w >> 11) & 30]!); A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x34:
      case 0x3c:
      case 0x94:
      case 0x9c: {
        // The ISA's rules: x / 0 = 0, x % 0 = x, INT_MIN / -1 = INT_MIN (signed: off 1).
        const y = (w & 8) !== 0 ? A[(w >> 11) & 30]! : A[b + 2]!;
        const x = A[d2]!;
        const mod = (w & 0xf0) === 0x90;
        if (y === 0) A[d2] = mod ? x : 0;
        else if (A[b + 1] === 1) A[d2] = mod ? x % y : (x / y) | 0;
        else A[d2] = mod ? (x >>> 0) % (y >>> 0) : Math.floor((x >>> 0) / (y >>> 0));
        A[d2 + 1] = 0;
        continue;
      }
      case 0x44: A[d2] |= A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x4c: A[d2] |= A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x54: A[d2] &= A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x5c: A[d2] &= A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xa4: A[d2] ^= A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xac: A[d2] ^= A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x64: A[d2] = A[d2]! << A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x6c: A[d2] = A[d2]! << A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x74: A[d2] = A[d2]! >>> A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x7c: A[d2] = A[d2]! >>> A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xc4: A[d2] = A[d2]! >> A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xcc: A[d2] = A[d2]! >> A[(w >> 11) & 30]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0x84: A[d2] = -A[d2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xb4: A[d2] = A[b + 2]!; A[d2 + 1] = 0; continue; // prettier-ignore
      case 0xbc: {
        const off = A[b + 1]!;
        const v = A[(w >> 11) & 30]!;
        A[d2] = off === 8 ? (v << 24) >> 24 : off === 16 ? (v << 16) >> 16 : v;
        A[d2 + 1] = 0;
        continue;
      }
      case 0xd4:
      case 0xdc:
      case 0xd7: {
        // le16/le32/le64 truncate (0xd4), be* (0xdc) and bswap* (0xd7) swap bytes.
        const bits = A[b + 2]!;
        const swap = (w & 255) !== 0xd4;
        const lo = A[d2]!;
        if (bits === 16) {
          A[d2] = swap ? ((lo & 0xff) << 8) | ((lo >>> 8) & 0xff) : lo & 0xffff;
          A[d2 + 1] = 0;
        } else if (bits === 32) {
          A[d2] = swap ? ((lo & 0xff) << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24) : lo; // prettier-ignore
          A[d2 + 1] = 0;
        } else if (swap) {
          const hi = A[d2 + 1]!;
          A[d2] = ((hi & 0xff) << 24) | ((hi & 0xff00) << 8) | ((hi >>> 8) & 0xff00) | (hi >>> 24); // prettier-ignore
          A[d2 + 1] = ((lo & 0xff) << 24) | ((lo & 0xff00) << 8) | ((lo >>> 8) & 0xff00) | (lo >>> 24); // prettier-ignore
        }
        continue;
      }

      // ---- JMP (64-bit compares), opcode = op | source | 0x05 ----
      case 0x05: break; // prettier-ignore
      case 0x15: { const k = A[b + 2]!; if (A[d2] === k && A[d2 + 1] === k >> 31) break; continue; } // prettier-ignore
      case 0x1d: { const s2 = (w >> 11) & 30; if (A[d2] === A[s2] && A[d2 + 1] === A[s2 + 1]) break; continue; } // prettier-ignore
      case 0x55: { const k = A[b + 2]!; if (!(A[d2] === k && A[d2 + 1] === k >> 31)) break; continue; } // prettier-ignore
      case 0x5d: { const s2 = (w >> 11) & 30; if (!(A[d2] === A[s2] && A[d2 + 1] === A[s2 + 1])) break; continue; } // prettier-ignore
      case 0x25: { const k = A[b + 2]!; const h = (A[d2 + 1]! >>> 0); const kh = (k >> 31) >>> 0; if (h > kh || (h === kh && (A[d2]! >>> 0) > k >>> 0)) break; continue; } // prettier-ignore
      case 0x2d: { const s2 = (w >> 11) & 30; const h = (A[d2 + 1]! >>> 0); const kh = (A[s2 + 1]! >>> 0); if (h > kh || (h === kh && (A[d2]! >>> 0) > (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0x35: { const k = A[b + 2]!; const h = (A[d2 + 1]! >>> 0); const kh = (k >> 31) >>> 0; if (h > kh || (h === kh && (A[d2]! >>> 0) >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x3d: { const s2 = (w >> 11) & 30; const h = (A[d2 + 1]! >>> 0); const kh = (A[s2 + 1]! >>> 0); if (h > kh || (h === kh && (A[d2]! >>> 0) >= (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0xa5: { const k = A[b + 2]!; const h = (A[d2 + 1]! >>> 0); const kh = (k >> 31) >>> 0; if (h < kh || (h === kh && (A[d2]! >>> 0) < k >>> 0)) break; continue; } // prettier-ignore
      case 0xad: { const s2 = (w >> 11) & 30; const h = (A[d2 + 1]! >>> 0); const kh = (A[s2 + 1]! >>> 0); if (h < kh || (h === kh && (A[d2]! >>> 0) < (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0xb5: { const k = A[b + 2]!; const h = (A[d2 + 1]! >>> 0); const kh = (k >> 31) >>> 0; if (h < kh || (h === kh && (A[d2]! >>> 0) <= k >>> 0)) break; continue; } // prettier-ignore
      case 0xbd: { const s2 = (w >> 11) & 30; const h = (A[d2 + 1]! >>> 0); const kh = (A[s2 + 1]! >>> 0); if (h < kh || (h === kh && (A[d2]! >>> 0) <= (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0x65: { const k = A[b + 2]!; const h = A[d2 + 1]!; const kh = k >> 31; if (h > kh || (h === kh && (A[d2]! >>> 0) > k >>> 0)) break; continue; } // prettier-ignore
      case 0x6d: { const s2 = (w >> 11) & 30; const h = A[d2 + 1]!; const kh = A[s2 + 1]!; if (h > kh || (h === kh && (A[d2]! >>> 0) > (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0x75: { const k = A[b + 2]!; const h = A[d2 + 1]!; const kh = k >> 31; if (h > kh || (h === kh && (A[d2]! >>> 0) >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x7d: { const s2 = (w >> 11) & 30; const h = A[d2 + 1]!; const kh = A[s2 + 1]!; if (h > kh || (h === kh && (A[d2]! >>> 0) >= (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0xc5: { const k = A[b + 2]!; const h = A[d2 + 1]!; const kh = k >> 31; if (h < kh || (h === kh && (A[d2]! >>> 0) < k >>> 0)) break; continue; } // prettier-ignore
      case 0xcd: { const s2 = (w >> 11) & 30; const h = A[d2 + 1]!; const kh = A[s2 + 1]!; if (h < kh || (h === kh && (A[d2]! >>> 0) < (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0xd5: { const k = A[b + 2]!; const h = A[d2 + 1]!; const kh = k >> 31; if (h < kh || (h === kh && (A[d2]! >>> 0) <= k >>> 0)) break; continue; } // prettier-ignore
      case 0xdd: { const s2 = (w >> 11) & 30; const h = A[d2 + 1]!; const kh = A[s2 + 1]!; if (h < kh || (h === kh && (A[d2]! >>> 0) <= (A[s2]! >>> 0))) break; continue; } // prettier-ignore
      case 0x45: { const k = A[b + 2]!; if (((A[d2]! & k) | (A[d2 + 1]! & (k >> 31))) !== 0) break; continue; } // prettier-ignore
      case 0x4d: { const s2 = (w >> 11) & 30; if (((A[d2]! & A[s2]!) | (A[d2 + 1]! & A[s2 + 1]!)) !== 0) break; continue; } // prettier-ignore
      case 0xe5: {
        // may_goto: taken once this frame's loop budget is spent.
        const left = vm.mayGoto[vm.depth]!;
        if (left === 0) break;
        vm.mayGoto[vm.depth] = left - 1;
        continue;
      }

      // ---- JMP32 (compares on the low halves), opcode = op | source | 0x06 ----
      case 0x06: break; // prettier-ignore
      case 0x16: if (A[d2] === A[b + 2]) break; continue; // prettier-ignore
      case 0x1e: if (A[d2] === A[(w >> 11) & 30]) break; continue; // prettier-ignore
      case 0x56: if (A[d2] !== A[b + 2]) break; continue; // prettier-ignore
      case 0x5e: if (A[d2] !== A[(w >> 11) & 30]) break; continue; // prettier-ignore
      case 0x26: if ((A[d2]! >>> 0) > A[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0x2e: if ((A[d2]! >>> 0) > (A[(w >> 11) & 30]! >>> 0)) break; continue; // prettier-ignore
      case 0x36: if ((A[d2]! >>> 0) >= A[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0x3e: if ((A[d2]! >>> 0) >= (A[(w >> 11) & 30]! >>> 0)) break; continue; // prettier-ignore
      case 0xa6: if ((A[d2]! >>> 0) < A[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0xae: if ((A[d2]! >>> 0) < (A[(w >> 11) & 30]! >>> 0)) break; continue; // prettier-ignore
      case 0xb6: if ((A[d2]! >>> 0) <= A[b + 2]! >>> 0) break; continue; // prettier-ignore
      case 0xbe: if ((A[d2]! >>> 0) <= (A[(w >> 11) & 30]! >>> 0)) break; continue; // prettier-ignore
      case 0x66: if (A[d2]! > A[b + 2]!) break; continue; // prettier-ignore
      case 0x6e: if (A[d2]! > A[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x76: if (A[d2]! >= A[b + 2]!) break; continue; // prettier-ignore
      case 0x7e: if (A[d2]! >= A[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xc6: if (A[d2]! < A[b + 2]!) break; continue; // prettier-ignore
      case 0xce: if (A[d2]! < A[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0xd6: if (A[d2]! <= A[b + 2]!) break; continue; // prettier-ignore
      case 0xde: if (A[d2]! <= A[(w >> 11) & 30]!) break; continue; // prettier-ignore
      case 0x46: if ((A[d2]! & A[b + 2]!) !== 0) break; continue; // prettier-ignore
      case 0x4e: if ((A[d2]! & A[(w >> 11) & 30]!) !== 0) break; continue; // prettier-ignore

      // ---- OUT: calls, exit, LD_ABS/LD_IND, atomics, invalid slots (step.ts) ----
      case 0x85:
      case 0x8d:
      case 0x95:
      case 0x20:
      case 0x28:
      case 0x30:
      case 0x40:
      case 0x48:
      case 0x50:
      case 0xc3:
      case 0xcb:
      case 0xd3:
      case 0xdb:
      // Invalid instructions (opcode 0 after predecode): step.ts faults.
      default:
        vm.count = base + ran + i - start;
        return i;

      // ---- lddw (a pseudo src is resolved in step.ts, once) ----
      case 0x18:
        if (((w >> 12) & 15) !== 0) {
          vm.count = base + ran + i - start;
          return i;
        }
        A[d2] = k32[i << 1]!;
        A[d2 + 1] = k32[(i << 1) + 1]!;
        pc = i + 2;
        continue;

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
        const slot = (A[s2 + 1]! >>> 0) - REGION_HI;
        const o = (A[s2]! >>> 0) + A[b + 1]!;
        const op = w & 255;
        const size = op === 0x79 ? 8 : op === 0x61 || op === 0x81 ? 4 : op === 0x69 || op === 0x89 ? 2 : 1; // prettier-ignore
        if (slot < 0 || slot >= nregions || o < 0 || o + size > rlens[slot]!) {
          vm.count = base + ran + i - start;
          return i;
        }
        const v = views[slot]!;
        if (op === 0x61) { A[d2] = v.getInt32(o, true); A[d2 + 1] = 0; } // prettier-ignore
        else if (op === 0x79) { A[d2] = v.getInt32(o, true); A[d2 + 1] = v.getInt32(o + 4, true); } // prettier-ignore
        else if (op === 0x71) { A[d2] = v.getUint8(o); A[d2 + 1] = 0; } // prettier-ignore
        else if (op === 0x69) { A[d2] = v.getUint16(o, true); A[d2 + 1] = 0; } // prettier-ignore
        else { const x = op === 0x81 ? v.getInt32(o, true) : op === 0x89 ? v.getInt16(o, true) : v.getInt8(o); A[d2] = x; A[d2 + 1] = x >> 31; } // prettier-ignore
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
        const slot = (A[d2 + 1]! >>> 0) - REGION_HI;
        const o = (A[d2]! >>> 0) + A[b + 1]!;
        const op = w & 255;
        const sz = op & 0x18;
        const size = sz === 0x18 ? 8 : sz === 0 ? 4 : sz === 8 ? 2 : 1;
        if (slot < 0 || slot >= nregions || o < 0 || o + size > wlens[slot]!) {
          vm.count = base + ran + i - start;
          return i;
        }
        const s2 = (w >> 11) & 30;
        const isImm = (op & 7) === 2;
        const lo = isImm ? A[b + 2]! : A[s2]!;
        const v = views[slot]!;
        if (size === 4) v.setInt32(o, lo, true);
        else if (size === 8) {
          v.setInt32(o, lo, true);
          v.setInt32(o + 4, isImm ? lo >> 31 : A[s2 + 1]!, true);
        } else if (size === 1) v.setUint8(o, lo & 0xff);
        else v.setUint16(o, lo & 0xffff, true);
        continue;
      }

      // ---- fused: add imm to rX (slot i), then jump on rX vs imm (slot i + 1) ----
      // 64-bit: the add as case 0x07, then the compare on the new halves (r low, h high).
      case 0x115: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; if (r === k && h === k >> 31) break; continue; } // prettier-ignore
      case 0x155: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; if (!(r === k && h === k >> 31)) break; continue; } // prettier-ignore
      case 0x125: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; const kh = (k >> 31) >>> 0; if (h >>> 0 > kh || (h >>> 0 === kh && r >>> 0 > k >>> 0)) break; continue; } // prettier-ignore
      case 0x135: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; const kh = (k >> 31) >>> 0; if (h >>> 0 > kh || (h >>> 0 === kh && r >>> 0 >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x1a5: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; const kh = (k >> 31) >>> 0; if (h >>> 0 < kh || (h >>> 0 === kh && r >>> 0 < k >>> 0)) break; continue; } // prettier-ignore
      case 0x1b5: { const a = A[d2]!; const c = A[b + 2]!; const r = (a + c) | 0; const h = (A[d2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[d2 + 1] = h; A[d2] = r; const k = A[b + 6]!; pc = i + 2; const kh = (k >> 31) >>> 0; if (h >>> 0 < kh || (h >>> 0 === kh && r >>> 0 <= k >>> 0)) break; continue; } // prettier-ignore
      // 32-bit: the add as case 0x04 (high half cleared), then the compare on the low half.
      case 0x116: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v === A[b + 6]) break; continue; } // prettier-ignore
      case 0x156: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v !== A[b + 6]) break; continue; } // prettier-ignore
      case 0x126: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v >>> 0 > A[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x136: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v >>> 0 >= A[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x1a6: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v >>> 0 < A[b + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x1b6: { const v = (A[d2] = (A[d2]! + A[b + 2]!) | 0); A[d2 + 1] = 0; pc = i + 2; if (v >>> 0 <= A[b + 6]! >>> 0) break; continue; } // prettier-ignore

      // ---- fused: add rD, rS (slot i), then an add + jump pair (slots i + 1, i + 2) ----
      // The add as case 0x0f, then the pair as its case above on slot i + 1 (word e).
      case 0x215: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; if (r === k && h === k >> 31) break; continue; } // prettier-ignore
      case 0x255: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; if (!(r === k && h === k >> 31)) break; continue; } // prettier-ignore
      case 0x225: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; const kh = (k >> 31) >>> 0; if (h >>> 0 > kh || (h >>> 0 === kh && r >>> 0 > k >>> 0)) break; continue; } // prettier-ignore
      case 0x235: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; const kh = (k >> 31) >>> 0; if (h >>> 0 > kh || (h >>> 0 === kh && r >>> 0 >= k >>> 0)) break; continue; } // prettier-ignore
      case 0x2a5: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; const kh = (k >> 31) >>> 0; if (h >>> 0 < kh || (h >>> 0 === kh && r >>> 0 < k >>> 0)) break; continue; } // prettier-ignore
      case 0x2b5: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const a = A[e2]!; const c = A[e + 2]!; const r = (a + c) | 0; const h = (A[e2 + 1]! + (c >> 31) + ((r >>> 0) < (a >>> 0) ? 1 : 0)) | 0; A[e2 + 1] = h; A[e2] = r; const k = A[e + 6]!; pc = i + 3; const kh = (k >> 31) >>> 0; if (h >>> 0 < kh || (h >>> 0 === kh && r >>> 0 <= k >>> 0)) break; continue; } // prettier-ignore
      case 0x216: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v === A[e + 6]) break; continue; } // prettier-ignore
      case 0x256: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v !== A[e + 6]) break; continue; } // prettier-ignore
      case 0x226: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v >>> 0 > A[e + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x236: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v >>> 0 >= A[e + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x2a6: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v >>> 0 < A[e + 6]! >>> 0) break; continue; } // prettier-ignore
      case 0x2b6: { const s2 = (w >> 11) & 30; const a0 = A[d2]!; const r0 = (a0 + A[s2]!) | 0; A[d2 + 1] = (A[d2 + 1]! + A[s2 + 1]! + ((r0 >>> 0) < (a0 >>> 0) ? 1 : 0)) | 0; A[d2] = r0; const e = b + 4; const e2 = (A[e]! >> 7) & 30; const v = (A[e2] = (A[e2]! + A[e + 2]!) | 0); A[e2 + 1] = 0; pc = i + 3; if (v >>> 0 <= A[e + 6]! >>> 0) break; continue; } // prettier-ignore
    }
    // Only taken jumps get here: every other case continues the loop. The
    // jump is slot pc - 1: i, i + 1 after a fused pair, i + 2 after a triple.
    const jump = pc - 1;
    ran = (ran + pc - start) | 0;
    if (ran > room) {
      base += ran;
      ran = 0;
      if (base > budget) {
        vm.count = base;
        return ~jump;
      }
      room = roomFor(budget - base);
    }
    pc = start = A[(jump << 2) + 33]!; // the target slot: word 1 of slot jump, at CELLS_CODE + 4 * jump + 1
  }
}
