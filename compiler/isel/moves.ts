// Parallel moves between physical registers (call arguments into r1-r5,
// parameters out of them on entry): emitted in an order that never
// overwrites a pending source; a cycle goes through an 8-byte stack slot,
// which works for pointers and scalars alike.

import {
  type Instruction,
  Mov32,
  Mov64,
  LoadImm64,
  LoadMem,
  Reg,
  StoreMem,
} from "../../bpf/isa/index.js";
import { fitsImm32 } from "./legalize.js";

export type MoveSrc = { reg: number } | { imm: bigint; w: 32 | 64 };

/** `dst = imm` in the fewest slots: mov, mov32 (zero-extends) or lddw. */
export function movImm(dst: number, value: bigint, w: 32 | 64): Instruction {
  if (w === 32) return Mov32.imm(dst, Number(BigInt.asIntN(32, value)));
  if (fitsImm32(value)) return Mov64.imm(dst, Number(BigInt.asIntN(32, value)));
  const u = BigInt.asUintN(64, value);
  if (u < 1n << 32n) return Mov32.imm(dst, Number(BigInt.asIntN(32, u)));
  return LoadImm64(dst, u);
}

export function parallelMove(
  moves: { dst: number; src: MoveSrc }[],
  scratchSlot: () => number,
): Instruction[] {
  const out: Instruction[] = [];
  let pending = moves.filter((m) => !("reg" in m.src && m.src.reg === m.dst));
  const regMoves = () =>
    pending.filter((m) => "reg" in m.src) as { dst: number; src: { reg: number } }[];
  while (regMoves().length) {
    const rm = regMoves();
    const ready = rm.find((m) => !rm.some((o) => o !== m && o.src.reg === m.dst));
    if (ready) {
      out.push(Mov64.reg(ready.dst, ready.src.reg));
      pending = pending.filter((m) => m !== ready);
      continue;
    }
    // A cycle: park one source on the stack and read it back at the end.
    const m = rm[0]!;
    const slot = scratchSlot();
    out.push(StoreMem(8, Reg.R10, slot, m.src.reg));
    pending = pending.filter((x) => x !== m);
    const rest = parallelMove(pending, scratchSlot);
    out.push(...rest);
    out.push(LoadMem(8, m.dst, Reg.R10, slot));
    return out;
  }
  for (const m of pending) if ("imm" in m.src) out.push(movImm(m.dst, m.src.imm, m.src.w));
  return out;
}
