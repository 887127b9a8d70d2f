// The instruction budget in a one-block loop of the translating tier, as a
// countdown, and the loop run in chunks of at most CHUNK instructions.
//
// The interpreter adds the block's slots to vm.count on every taken back
// edge and faults when the count passes the budget. Done that way in the
// generated loop (`count += k; if (count > budget)`), V8 keeps `count` as a
// Smi with an overflow check and `budget` as a tagged value it untags on
// every iteration; both are deoptimization points whose frame states keep
// the loop's registers alive, and V8 spilled them to the stack (the tight
// loop ran at about half its speed with the check than without it).
//
// Instead, on entry to the loop `lim` = the instructions the budget has
// left, floor(budget - count), clamped to [-1, CHUNK] (an int32), and each
// back edge takes the block's `k` slots off `left` with `(left - k) | 0`,
// which cannot overflow. When the loop ends, `count` gets `lim - left`, the
// slots of the back edges taken. When `left` goes below zero, the same is
// added and the budget checked exactly as the interpreter checks it: it
// faults at the jump with the interpreter's count, or, when only the chunk
// ran out, the generated function stores the registers and returns
// `-2 - start`, and its caller (compile.ts's wrapper) calls it again at the
// loop's start (its `resume` argument), where a new countdown begins. With
// runs of runRepeat still to come (`rep` > 1) the countdown restarts in
// place instead: a resumed call could not restore their starting registers.
//
// The chunks are for V8, not for the budget: a program that spends its
// whole run in one loop calls the function once, so V8 runs the loop in
// on-stack-replacement code compiled while the run was in progress, and
// the function's ordinary optimized code, compiled before the loop's exit
// had run, can deoptimize on every later call (each run then went back to
// the OSR code, with tagged registers: 300-550 instead of 1,000-1,300 M/s
// in the tight-loop bench, in about half of the processes). Returning every
// CHUNK instructions gives the function many calls, each through the
// loop's exit, so V8 optimizes it as a whole with type feedback for it.
//
// `count` is only exact again after a settle, so the loop body may not
// read it: this is used only for loops whose body is ALU instructions,
// which neither fault nor call out (memory loads' slow paths read `count`).

import type { Program } from "../vm/program.js";

/** The longest countdown, in instructions: about a millisecond of the tight loop. */
const CHUNK = 2 ** 20;

/** True when the block [start, last) (its back edge at `last`) is ALU instructions only. */
export function countdownFits(p: Program, start: number, last: number): boolean {
  for (let i = start; i < last; i++) {
    const cls = p.ins[i * 4]! & 7;
    if (cls !== 4 && cls !== 7) return false;
  }
  return true;
}

/** Declarations for the generated function: one loop runs at a time, so they are shared. */
export const COUNTDOWN_LOCALS = "let lim = 0, left = 0;";

/** Start a countdown (`count` exact at the loop's top). */
export function countdownEntry(): string {
  return `lim = budget - count; lim = (lim < 0 ? -1 : lim < ${CHUNK} ? lim : ${CHUNK}) | 0; left = lim;`; // prettier-ignore
}

/**
 * A taken back edge at slot `i` of the loop starting at `start`, `k` slots
 * per iteration: count down; when that runs out, settle and check the
 * budget, then hand the next chunk to the caller (`spill` stores the registers).
 */
export function countdownTake(
  i: number,
  k: number,
  loop: string,
  start: number,
  spill: string,
): string {
  // prettier-ignore
  return (
    `left = (left - ${k}) | 0; if (left < 0) { count += lim - left; ` +
    `if (count > budget) { vm.count = count; budgetFault(vm, ${i}); } ` +
    `if (rep <= 1) { ${spill} vm.count = count; return ${-2 - start}; } ${countdownEntry()} } continue ${loop};`
  );
}

/** Leaving the loop (its back edge not taken): `count` gets the back edges taken. */
export function countdownExit(): string {
  return "count += lim - left;";
}

/** The function compile.ts returns: calls `inner` again for each chunk (see the top). */
export const CHUNK_WRAPPER = `function run(vm, entry, base, rep) {
let pc = translated(vm, entry, base, rep, entry);
while (pc <= -2) pc = translated(vm, entry, base, 1, -2 - pc);
return pc;
}`;
