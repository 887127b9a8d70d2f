// The translating tier: a pre-decoded program becomes one JavaScript
// function (`new Function`) with the interpreter's contract — run from a
// slot until the frame at `base` exits, registers in and out through the
// VM's register file, faults thrown as VmError from the same call-outs.
//
// Shape of the generated code:
//
//   let l0 = I32[0], h0 = I32[1], ...        registers as int32 locals
//   dispatch: for (;;) switch (pc) {                    one case per basic block,
//     case 0: ...straight-line code...        falling through to the next
//     case 5: ... pc = 2; continue; ...       taken jumps re-dispatch
//     default: return pc;                     a slot that is not a block start
//   }
//
// Instructions are counted per straight-line segment with constants known
// at translation time, and the budget is checked where the interpreter
// checks it (taken jumps, calls, returns), so both tiers fault at the same
// slot with the same instruction count.
//
// A function is cached by its source text, so VMs running the same code
// (one per test, one per packet run) share V8's compiled code.

import * as alu from "../vm/alu.js";
import * as vmOps from "../vm/ops.js";
import type { Program } from "../vm/program.js";
import type { Vm } from "../vm/vm.js";
import { blockStarts, isJumpOp } from "./blocks.js";
import { alu32, alu64, alu64Low, condition, operand } from "./emit-alu.js";
import * as ops from "./emit-ops.js";
import { registerHelperAt } from "./helper-site.js";
import { CHUNK_WRAPPER, COUNTDOWN_LOCALS, countdownEntry, countdownExit, countdownFits, countdownTake } from "./loop-budget.js"; // prettier-ignore
import { loopFacts, type LoopFacts } from "./loop-facts.js";
import { structure, type Structure } from "./structure.js";

/**
 * Runs from `entry` until the frame at `base` exits (-1), or returns a slot
 * it has no code for. With `repeat` > 1 (runRepeat: base 0, registers set
 * for a run) an exit of the base frame starts the next run (see ops.exit).
 */
export type Translated = (vm: Vm, entry: number, base: number, repeat: number) => number;

type Factory = (rt: typeof RUNTIME, p: Program) => Translated;

// What generated code calls: the interpreter's own call-outs and ALU helpers.
const RUNTIME = { ...vmOps, ...alu, callxOp: vmOps.callx, registerHelperAt };
const NEEDED = "atomic budgetFault callHelper callLocal callxOp fault helperResult helperThrew ldPacket lddwPseudo memSlowLoad memSlowStore registerHelperAt returnLocal divmod32 divmod64h mulhiU32"; // prettier-ignore

const PRELUDE = `const { ${NEEDED.split(" ").join(", ")} } = rt;
const ins = p.ins, k32 = p.k32, k64 = p.k64;`;

/** The program being emitted's labels, labelled blocks and region loops (structure.ts). */
let shape: Structure;

/** `R<t>` when the jump at `i` to `t` is a back edge of the region loop starting at `t`. */
function regionLoop(i: number, t: number): string | undefined {
  return shape.loops.has(t) && shape.region[i] === t ? `R${t}` : undefined;
}

/**
 * One instruction's code; `k` counts the segment's slots through this one.
 * A jump back to `selfStart` continues the JS loop labelled `loop`, after
 * `backEdge` (the fast copy's high halves, see loopVersion), counting the
 * budget down when `countdown` (loop-budget.ts). `narrow`: the
 * result is known to be below 2^32 (the caller zeroes the high half), see
 * alu64Low.
 */
function instruction(
  p: Program,
  i: number,
  k: number,
  selfStart: number,
  loop = "self",
  backEdge = "",
  narrow = false,
  countdown = false,
): string {
  const b = i * 4;
  const w = p.ins[b]!;
  const op = w & 255;
  const d = (w >> 8) & 15;
  const s = (w >> 12) & 15;
  const off = p.ins[b + 1]!;
  const imm = p.ins[b + 2]!;
  const cls = op & 7;
  const src = operand((op & 8) !== 0, s, imm);
  if (op === 0) return ops.invalid(i, p.reasons.get(i), k);
  if (cls === 7 && ((op & 0xf0) === 0x30 || (op & 0xf0) === 0x90)) {
    return ops.divmod64(op, d, src.l, src.h, off);
  }
  if (cls === 7) return (narrow ? alu64Low(op, d, src, off, imm) : undefined) ?? alu64(op, d, src, off, imm); // prettier-ignore
  if (cls === 4) return alu32(op, d, src, off, imm);
  if (isJumpOp(op)) {
    const self = off === selfStart ? loop : undefined;
    const go =
      self !== undefined && countdown
        ? countdownTake(i, k, self, selfStart, ops.SPILL)
        : ops.take(i, k, off, self ?? regionLoop(i, off), shape.breakTargets.has(off));
    const take = `${self !== undefined ? backEdge : ""}${go}`;
    if (op === 0x05 || op === 0x06) return take;
    if (op === 0xe5) {
      return `{ const mg = vm.mayGoto, dp = vm.depth, left = mg[dp]; if (left === 0) { ${take} } mg[dp] = left - 1; }`; // prettier-ignore
    }
    return `if (${condition(op, d, src)}) { ${take} }`;
  }
  if (op === 0x85) return ops.call(i, s, off, imm, k);
  if (op === 0x8d) return ops.callx(i, d, k);
  if (op === 0x95) return ops.exit(i, k);
  if (op === 0x18) return ops.lddw(i, d, s !== 0, k);
  if (cls === 0) return ops.ldPacketOp(i, w, imm, k);
  if (cls === 1) return ops.loadMem(i, op, d, s, off, k, selfStart >= 0);
  if ((op & 0xe0) === 0xc0) return ops.atomicOp(i, w, off, imm, k);
  return ops.storeMem(i, op, d, s, off, imm, k, selfStart >= 0);
}

/** The last slot of the block [start, end) if it is a jump (taken or not) back to `start`. */
function loopsToItself(p: Program, start: number, end: number): number | undefined {
  let last = start;
  for (let i = start; i < end && i <= p.n; i += (p.ins[i * 4]! & 255) === 0x18 ? 2 : 1) last = i;
  const op = p.ins[last * 4]! & 255;
  return isJumpOp(op) && p.ins[last * 4 + 1] === start ? last : undefined;
}

/**
 * The fast copy of a one-block loop (loop-facts.ts): entered when every
 * register the facts name is within its bound, with those high halves set
 * to the constant 0 on entry, after each instruction that keeps its result
 * below 2^32, and on the back edge, so V8 folds them away. When the loop
 * ends it falls through past the ordinary copy (the `else` branch).
 */
function loopVersion(
  p: Program,
  start: number,
  last: number,
  facts: LoopFacts,
  countdown: boolean,
): string {
  const guard = [...facts.top]
    .map(([r, max]) => `h${r} === 0${max < 2 ** 32 - 1 ? ` && (l${r} >>> 0) <= ${max}` : ""}`)
    .join(" && ");
  const zero = [...facts.top.keys()].map((r) => `h${r} = 0;`).join(" ");
  const out = [`if (${guard}) { ${zero} fast: for (;;) {`];
  for (let i = start; i <= last; i += (p.ins[i * 4]! & 255) === 0x18 ? 2 : 1) {
    const width = (p.ins[i * 4]! & 255) === 0x18 ? 2 : 1;
    const narrow = facts.zeroHiAfter.has(i);
    const after = narrow ? ` h${(p.ins[i * 4]! >> 8) & 15} = 0;` : "";
    const k = i + width - start;
    const code = instruction(p, i, k, start, "fast", zero + " ", narrow, countdown);
    out.push(`  ${code}${after}`);
  }
  out.push(`  ${countdown ? countdownExit() : ""} break; } } else`);
  return out.join("\n");
}

/** Registers named by valid instructions (and r0, the result; r10 with local calls). */
function usedRegisters(p: Program): Set<number> {
  const used = new Set<number>([0]);
  for (let i = 0; i < p.n; i++) {
    const w = p.ins[i * 4]!;
    const op = w & 255;
    if (op === 0) continue;
    used.add((w >> 8) & 15);
    // Only instructions that read a source register (not call's src field).
    if (op !== 0x85 && op !== 0x18) used.add((w >> 12) & 15);
    if (op === 0x85 && ((w >> 12) & 15) === 1) used.add(10);
  }
  return used;
}

/** The generated function's body (a factory taking the runtime and the program). */
export function translateSource(p: Program, extra: Iterable<number> = []): string {
  const sorted = blockStarts(p, extra);
  const starts = new Set(sorted);
  shape = structure(p, sorted, extra);
  // The region loop open at this point of the output, if any.
  let openLoop = -1;
  const used = usedRegisters(p);
  ops.useRegisters(used);
  const out: string[] = [];
  let segStart = 0;
  let dead = false;
  // The start of the current block when that block ends with a jump back
  // to its start (a loop of one block): it is emitted as its own JS loop,
  // which V8 optimises far better than a trip through the dispatch switch.
  let selfStart = -1;
  // Whether that loop counts its budget down (loop-budget.ts).
  let countdown = false;
  for (let i = 0; i <= p.n;) {
    if (starts.has(i)) {
      if (selfStart >= 0) out.push(`  ${countdown ? countdownExit() : ""} break; }`);
      if (i > segStart && !dead) out.push(`count += ${i - segStart};`);
      // The end of the labelled block that `break L<i>` leaves (structure.ts).
      if (shape.breakTargets.has(i)) out.push(`}`);
      // A new region: the open region loop ends (falling out of it goes on to this case).
      if (openLoop >= 0 && shape.labels.has(i)) {
        out.push(`break R${openLoop}; }`);
        openLoop = -1;
      }
      const last = loopsToItself(p, i, sorted[sorted.indexOf(i) + 1] ?? p.n + 1);
      selfStart = last !== undefined ? i : -1;
      countdown = last !== undefined && countdownFits(p, i, last);
      const entry = countdown ? countdownEntry() : "";
      const facts = last !== undefined ? loopFacts(p, i, last) : undefined;
      // A label opens its region's labelled blocks, the farthest target outermost.
      if (shape.labels.has(i) && shape.loops.has(i)) openLoop = i;
      const label = shape.labels.has(i)
        ? `case ${i}: ${openLoop === i ? `R${i}: for (;;) {` : ""} ${(shape.blocks.get(i) ?? [])
            .map((t) => `L${t}: {`)
            .reverse()
            .join(" ")}`
        : "";
      if (last === undefined) out.push(label);
      else if (facts === undefined) out.push(`${label} ${entry} self: for (;;) {`);
      else out.push(`${label} ${entry} ${loopVersion(p, i, last, facts, countdown)} self: for (;;) {`); // prettier-ignore
      segStart = i;
      dead = false;
    }
    const op = p.ins[i * 4]! & 255;
    const width = op === 0x18 ? 2 : 1;
    // Code after a fault, exit or ja up to the next block start never runs.
    if (!dead) {
      const k = i + width - segStart;
      out.push(`  ${instruction(p, i, k, selfStart, "self", "", false, countdown)}`);
    }
    dead ||= op === 0 || op === 0x95 || op === 0x05 || op === 0x06 || op === 0x8d;
    if (width === 2 && starts.has(i + 1)) {
      // A dynamic target inside this lddw: skip over its label.
      if (!dead) out.push(`  count += ${i + 2 - segStart}; pc = ${i + 2}; continue dispatch;`);
      dead = true;
    }
    // A helper call settles the count (the callee may run code) and goes on.
    if (op === 0x85) segStart = i + 1;
    i += width;
  }
  if (selfStart >= 0) out.push(`  ${countdown ? countdownExit() : ""} break; }`);
  if (openLoop >= 0) out.push(`break R${openLoop}; }`);
  const regs = [...used].map((r) => `l${r} = I32[${2 * r}], h${r} = I32[${2 * r + 1}]`);
  return ops.finish(`${PRELUDE}
${ops.helperSiteDeclarations()}
const translated = function translated(vm, entry, base, rep, resume) {
const I32 = vm.I32, U64 = vm.U64, mem = vm.mem, views = mem.views, words = mem.words, budget = vm.budget;
let rl = mem.rlens, wl = mem.wlens, count = vm.count, pc = resume;
${COUNTDOWN_LOCALS}
${regs.length > 0 ? `let ${regs.join(", ")};` : ""}
${ops.repeatEntry()}
${ops.regionCacheDeclarations()}
dispatch: for (;;) switch (pc) {
${out.join("\n")}
default: ${ops.SPILL} vm.count = count; return pc;
}
};
return ${CHUNK_WRAPPER};`);
}

const cache = new Map<string, Factory>();
const CACHE_LIMIT = 512;

/** Translate (or fetch from the cache) the function for `p` with these extra block starts. */
export function translate(p: Program, extra: Iterable<number> = []): Translated {
  const source = translateSource(p, extra);
  let factory = cache.get(source);
  if (factory === undefined) {
    factory = new Function("rt", "p", source) as Factory;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(source, factory);
  }
  return factory(RUNTIME, p);
}
