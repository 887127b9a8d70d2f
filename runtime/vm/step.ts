// The interpreter's outer half: one instruction that the hot loop
// (interpreter.ts `run`) hands back because it calls out of the loop —
// calls and exits, lddw pseudo kinds, the legacy packet loads, memory
// accesses the fast path refused, atomics, 64-bit division beyond 32-bit
// unsigned operands, invalid instructions — and the budget fault of a taken
// jump. Keeping every call out of `run` is what lets V8 keep the register
// file's and the code's typed-array fields in machine registers across the
// loop (a call inside a loop makes it reload them, and re-check them, after
// every instruction).
//
// Contract with `run`: it returns the slot `i` to execute here, with
// vm.count holding the instructions executed before `i`; `step` adds the
// instruction itself, executes it, and returns the slot to go on from, or
// -1 when the frame at `base` has exited (r0 is then in the registers).

import { divmod64h } from "./alu.js";
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

/** Execute the instruction at slot `i` (see the contract above); returns the next slot or -1. */
export function step(vm: Vm, i: number, base: number): number {
  const p = vm.program;
  const ins = p.ins;
  const b = i << 2;
  const w = ins[b]!;
  const op = w & 255;
  const d = (w >> 8) & 15;
  const s = (w >> 12) & 15;
  const I32 = vm.I32;
  switch (op) {
    case 0x85:
    case 0x8d:
    case 0x95: {
      // Calls and exit change frames; the budget is checked after them, as on taken jumps.
      vm.count += 1;
      let next = i + 1;
      if (op === 0x95) {
        if (vm.depth === base) return -1;
        next = returnLocal(vm);
      } else if (op === 0x8d) {
        next = callx(vm, i, d);
      } else if (s === 1) {
        next = callLocal(vm, i, ins[b + 1]!);
      } else {
        callHelper(vm, i, ins[b + 2]!, s);
      }
      if (vm.count > vm.budget) {
        fault(vm, i, "budget", `instruction budget of ${vm.budget} exhausted`);
      }
      return next;
    }
    case 0x18:
      // lddw with a pseudo src: resolved once (the slot then runs in the hot loop).
      vm.count += 2;
      lddwPseudo(vm, i);
      I32[d << 1] = p.k32[i << 1]!;
      I32[(d << 1) + 1] = p.k32[(i << 1) + 1]!;
      return i + 2;
    case 0x20:
    case 0x28:
    case 0x30:
    case 0x40:
    case 0x48:
    case 0x50:
      vm.count += 1;
      if (ldPacket(vm, i, w, ins[b + 2]!)) return i + 1;
      // Out of bounds: Linux ends the program with r0 = 0.
      I32[0] = 0;
      I32[1] = 0;
      vm.depth = base;
      return -1;
    case 0x61:
    case 0x69:
    case 0x71:
    case 0x79:
    case 0x81:
    case 0x89:
    case 0x91:
      vm.count += 1;
      memSlowLoad(vm, i, d, s, ins[b + 1]!, op);
      return i + 1;
    case 0x62:
    case 0x6a:
    case 0x72:
    case 0x7a:
    case 0x63:
    case 0x6b:
    case 0x73:
    case 0x7b: {
      vm.count += 1;
      const sz = op & 0x18;
      const size = sz === 0x18 ? 8 : sz === 0 ? 4 : sz === 8 ? 2 : 1;
      const value = (op & 7) === 2 ? p.k64[i]! : vm.U64[s]!;
      memSlowStore(vm, i, d, ins[b + 1]!, size, value);
      return i + 1;
    }
    case 0xc3:
    case 0xcb:
    case 0xd3:
    case 0xdb:
      vm.count += 1;
      atomic(vm, i, w, ins[b + 1]!, ins[b + 2]!);
      return i + 1;
    case 0x37:
    case 0x3f:
    case 0x97:
    case 0x9f: {
      // 64-bit div/mod with a signed or wider-than-32-bit operand.
      vm.count += 1;
      const x = (op & 8) !== 0;
      const blo = x ? I32[s << 1]! : ins[b + 2]!;
      const bhi = x ? I32[(s << 1) + 1]! : blo >> 31;
      divmod64h(I32, vm.U64, d << 1, blo, bhi, ins[b + 1] === 1, (op & 0xf0) === 0x90);
      return i + 1;
    }
    default:
      vm.count += 1;
      fault(vm, i, "invalid", `invalid instruction: ${p.reasons.get(i) ?? "unknown opcode"}`);
  }
}

/** The budget fault of a taken jump at slot `jump` (vm.count already counts it). */
export function jumpBudgetFault(vm: Vm, jump: number): never {
  fault(vm, jump, "budget", `instruction budget of ${vm.budget} exhausted`);
}
