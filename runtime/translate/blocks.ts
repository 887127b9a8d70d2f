// Basic-block starts for the translating tier: the slots where control can
// arrive other than by falling through from the previous slot. Each start
// becomes a `case` label of the generated function's dispatch switch, so
// code between two starts is straight-line JavaScript.
//
// Dynamic targets (run()'s entry, callx to a computed code pointer, an lddw
// func pointer used in an unexpected way) may land on any slot; the
// generated function hands those back to compile.ts, which recompiles with
// that slot added (see `extra`).

import type { Program } from "../vm/program.js";

/** Jump opcodes (JMP/JMP32 classes, not call/exit): their word 1 is the target slot. */
export function isJumpOp(op: number): boolean {
  const cls = op & 7;
  if (cls !== 5 && cls !== 6) return false;
  const j = op & 0xf0;
  return j !== 0x80 && j !== 0x90;
}

/** Sorted block starts: slot 0, jump and call targets, slots after jumps/calls/exits, `extra`. */
export function blockStarts(p: Program, extra: Iterable<number>): number[] {
  const starts = new Set<number>([0]);
  const ins = p.ins;
  for (let i = 0; i < p.n; i++) {
    const w = ins[i * 4]!;
    const op = w & 255;
    const src = (w >> 12) & 15;
    if (op === 0x18) {
      // lddw rX, func: a code pointer a callback helper or callx may use.
      if (src === 4) starts.add(i + 1 + ins[i * 4 + 2]!);
      i++;
      continue;
    }
    if (isJumpOp(op)) {
      starts.add(ins[i * 4 + 1]!);
      starts.add(i + 1);
    } else if (op === 0x85 || op === 0x8d || op === 0x95) {
      if (op === 0x85 && src === 1) starts.add(ins[i * 4 + 1]!);
      starts.add(i + 1);
    }
  }
  for (const s of extra) {
    starts.add(s);
    // A dynamic target in the middle of an lddw: the lddw's code must jump
    // over that slot's label, to a label of its own.
    if (s > 0 && (ins[(s - 1) * 4]! & 255) === 0x18) starts.add(s + 1);
  }
  return [...starts].filter((s) => s >= 0 && s <= p.n).sort((a, b) => a - b);
}
