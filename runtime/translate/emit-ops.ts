// JavaScript for the instructions that touch more than registers: memory
// loads and stores (the interpreter's bounds-checked fast path, inlined,
// with the same slow-path call-outs), calls, exit, lddw, legacy packet
// loads, atomics, 64-bit division and invalid slots.
//
// Every call-out goes through the same functions the interpreter uses
// (runtime/vm/ops.ts), with the same arguments, so faults carry the same
// kind, pc and region. Call-outs see the VM's register file, so the
// registers a call-out reads are written back first (spill) and those it
// may change are read again after (reload) — only those, which keeps the
// generated code small (it is compiled once per program, and the fuzz
// tests translate 100,000 programs). `rl`/`wl` (the region length tables)
// are re-read after any call-out, which may add regions.
//
// `k` is the number of slots executed in the current straight-line
// segment including this instruction: `count + k` is what the interpreter
// would hold in vm.count at the same point.

import { MAY_GOTO_BUDGET } from "../vm/types.js";
import { hi, lo } from "./emit-alu.js";

// The registers the program being translated names anywhere. The others are
// never touched by its code, so the register file is always right about
// them: they need no local, no spill and no reload. Set by compile.ts
// before it emits a program (translation is synchronous).
let used = new Set<number>();
export function useRegisters(regs: Set<number>): void {
  used = regs;
  SPILL = spill(...ALL);
  REFRESH = `rl = mem.rlens; wl = mem.wlens; ${FORGET}`;
  sites = [];
  cached = new Set();
}

// The helper call sites emitted for the current program: each gets a
// variable `hf<slot>` in the factory's scope (see helper-site.ts).
let sites: number[] = [];
/** Declarations of the helper call sites' variables, for the generated function's prelude. */
export function helperSiteDeclarations(): string {
  return sites.length > 0 ? `let ${sites.map((i) => `hf${i}`).join(", ")};` : "";
}

const spill = (...regs: number[]) =>
  [...new Set(regs)]
    .filter((r) => used.has(r))
    .map((r) => `I32[${2 * r}] = l${r}; I32[${2 * r + 1}] = h${r};`)
    .join(" ");
const reload = (...regs: number[]) =>
  [...new Set(regs)]
    .filter((r) => used.has(r))
    .map((r) => `l${r} = I32[${2 * r}]; h${r} = I32[${2 * r + 1}];`)
    .join(" ");
const ALL = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** A helper's arguments. */
const ARGS = [1, 2, 3, 4, 5];
export let SPILL = "";
/** Callee-saved registers (enterFrame saves them from the register file). */
const SAVED = [6, 7, 8, 9];

// Per register rN, what its last memory access found about the region its
// high half names: m<N>h the high half, m<N>r / m<N>w the lengths the fast
// path may read / write (Memory.rlens / wlens, 0 for an unmapped slot),
// m<N>v the region's DataView, m<N>t its word table (hooked regions). An
// access from rN looks them up again only when rN's high half changed, so
// accesses through one pointer check just the offset. Regions change only
// inside call-outs, after which REFRESH forgets every register's entry; a
// forgotten entry (high half 0, lengths 0) sends every access to the slow
// path, which is also what a high half of 0 (a scalar, NULL) needs.
//
// Only accesses inside a loop of one block use the cache (where one pointer
// is read again and again); in straight-line code most pointers are used
// once or twice and the plain check is cheaper than keeping the entries.
const forget = (r: number) => `m${r}h = 0; m${r}r = 0; m${r}w = 0; m${r}t = undefined;`;

/** Registers whose accesses use the region cache in the program being emitted. */
let cached = new Set<number>();

/** Where REFRESH forgets the cache entries: filled in by `finish` once all are known. */
const FORGET = "/*forget*/";

/** The generated source with the cache's entries forgotten after call-outs. */
export function finish(source: string): string {
  const forgetAll = ALL.filter((r) => cached.has(r))
    .map(forget)
    .join(" ");
  return source.replaceAll(FORGET, forgetAll);
}

/** The region cache's variables, for the generated function's prelude (after `views`). */
export function regionCacheDeclarations(): string {
  const vars = ALL.filter((r) => cached.has(r)).map(
    (r) => `m${r}h = 0, m${r}r = 0, m${r}w = 0, m${r}v = views[0], m${r}t = undefined`,
  );
  return vars.length > 0 ? `let ${vars.join(", ")};` : "";
}

/** rN's region cache entry, looked up again when rN's high half is not the cached one. */
function regionOf(r: number): string {
  cached.add(r);
  return (
    `if (h${r} !== m${r}h) { m${r}h = h${r}; const sl = (h${r} - 4096) >>> 0; ` +
    `if (sl < rl.length) { m${r}r = rl[sl]; m${r}w = wl[sl]; m${r}t = words[sl]; const vv = views[sl]; if (vv !== undefined) m${r}v = vv; } ` +
    `else { m${r}r = 0; m${r}w = 0; m${r}t = undefined; } }`
  );
}

let REFRESH = "";

/**
 * A taken jump: settle the count, check the budget, go to `target` — by the
 * dispatch switch, by `break L<target>` out of a labelled block
 * (`structured`, see structure.ts), or, for a block jumping back to its own
 * start, by `continue <loop>` (the block is then a JS loop of its own, see
 * compile.ts).
 */
export function take(
  i: number,
  k: number,
  target: number,
  loop: string | undefined,
  structured = false,
): string {
  const go =
    loop !== undefined
      ? `continue ${loop};`
      : structured
        ? `break L${target};`
        : `pc = ${target}; continue dispatch;`;
  return `{ count += ${k}; if (count > budget) { vm.count = count; budgetFault(vm, ${i}); } ${go} }`; // prettier-ignore
}

const afterCall = (i: number) => `count = vm.count; if (count > budget) budgetFault(vm, ${i});`;

export function loadMem(
  i: number,
  op: number,
  d: number,
  s: number,
  off: number,
  k: number,
  inLoop: boolean,
) {
  const size = op === 0x79 ? 8 : op === 0x61 || op === 0x81 ? 4 : op === 0x69 || op === 0x89 ? 2 : 1; // prettier-ignore
  const L = lo(d);
  const H = hi(d);
  const read = {
    0x61: `${L} = v.getInt32(o, true); ${H} = 0;`,
    0x79: `${L} = v.getInt32(o, true); ${H} = v.getInt32(o + 4, true);`,
    0x71: `${L} = v.getUint8(o); ${H} = 0;`,
    0x69: `${L} = v.getUint16(o, true); ${H} = 0;`,
    0x81: `${L} = v.getInt32(o, true); ${H} = ${L} >> 31;`,
    0x89: `${L} = v.getInt16(o, true); ${H} = ${L} >> 31;`,
    0x91: `${L} = v.getInt8(o); ${H} = ${L} >> 31;`,
  }[op];
  const slow = `${spill(s)} vm.count = count + ${k}; memSlowLoad(vm, ${i}, ${d}, ${s}, ${off}, ${op}); ${reload(d)} ${REFRESH}`;
  if (!inLoop) {
    const plain = `if (sl < rl.length && o >= 0 && o + ${size} <= rl[sl]) { const v = views[sl]; ${read} } else { ${slow} }`;
    const at = `const sl = (${hi(s)} - 4096) >>> 0, o = (${lo(s)} >>> 0) + ${off}`;
    if (op !== 0x61) return `{ ${at}; ${plain} }`;
    return (
      `{ ${at}, wt = words[sl]; if (wt === undefined) { ${plain} } ` +
      `else if ((o & 3) === 0 && wt[(o >> 2) * 3] === 1) { ${L} = wt[(o >> 2) * 3 + 1]; ${H} = wt[(o >> 2) * 3 + 2]; } ` +
      `else { ${slow} } }`
    );
  }
  const fast = `if (o + ${size} <= m${s}r${off < 0 ? " && o >= 0" : ""}) { const v = m${s}v; ${read} } else { ${slow} }`;
  const start = `{ const o = (${lo(s)} >>> 0) + ${off}; ${regionOf(s)} `;
  if (op !== 0x61) return `${start}${fast} }`;
  // A u32 load from a region with a word table (RegionAccess.words: a
  // context's fields) is answered from it when the entry is a value
  // (WORD_VALUE), else by the slow path, which runs the hook.
  return (
    `${start}const wt = m${s}t; if (wt === undefined) { ${fast} } ` +
    `else if ((o & 3) === 0 && wt[(o >> 2) * 3] === 1) { ${L} = wt[(o >> 2) * 3 + 1]; ${H} = wt[(o >> 2) * 3 + 2]; } ` +
    `else { ${slow} } }`
  );
}

export function storeMem(
  i: number,
  op: number,
  d: number,
  s: number,
  off: number,
  imm: number,
  k: number,
  inLoop: boolean,
) {
  const sz = op & 0x18;
  const size = sz === 0x18 ? 8 : sz === 0 ? 4 : sz === 8 ? 2 : 1;
  const isImm = (op & 7) === 2;
  const vl = isImm ? `${imm | 0}` : lo(s);
  const vh = isImm ? `${imm >> 31}` : hi(s);
  const write =
    size === 4
      ? `v.setInt32(o, ${vl}, true);`
      : size === 8
        ? `v.setInt32(o, ${vl}, true); v.setInt32(o + 4, ${vh}, true);`
        : size === 1
          ? `v.setUint8(o, ${vl} & 0xff);`
          : `v.setUint16(o, ${vl} & 0xffff, true);`;
  const value = isImm ? `k64[${i}]` : `U64[${s}]`;
  const check = inLoop
    ? `{ const o = (${lo(d)} >>> 0) + ${off}; ${regionOf(d)} if (o + ${size} <= m${d}w${off < 0 ? " && o >= 0" : ""}) { const v = m${d}v; ${write} } ` // prettier-ignore
    : `{ const sl = (${hi(d)} - 4096) >>> 0, o = (${lo(d)} >>> 0) + ${off}; if (sl < wl.length && o >= 0 && o + ${size} <= wl[sl]) { const v = views[sl]; ${write} } `; // prettier-ignore
  return (
    check +
    `else { ${spill(d, ...(isImm ? [] : [s]))} vm.count = count + ${k}; memSlowStore(vm, ${i}, ${d}, ${off}, ${size}, ${value}); ${REFRESH} } }`
  );
}

/** call imm: a local call (src 1) dispatches to the callee; helpers and kfuncs return here. */
export function call(i: number, src: number, target: number, imm: number, k: number): string {
  if (src === 1) {
    // The callee runs on these same locals; enterFrame saves r6-r9 and moves r10.
    return `count += ${k}; ${spill(...SAVED)} vm.count = count; pc = callLocal(vm, ${i}, ${target}); ${reload(10)} ${REFRESH} ${afterCall(i)} continue dispatch;`; // prettier-ignore
  }
  // Helpers read only their arguments, r1-r5 (VmHandle.reg), so only those
  // are written back, and change only r0 (callFunction restores the
  // caller's registers; a callback's frame saves r6-r9 of no frame that
  // returns to them). A register helper is called from this site directly
  // (helper-site.ts), any other by callHelper.
  sites.push(i);
  const f = `hf${i}`;
  const direct =
    `let r; try { r = ${f}(vm); } catch (e) { helperThrew(vm, ${i}, ${imm}, ${src}, e); } ` +
    `if (r !== undefined) helperResult(vm, ${i}, ${imm}, ${src}, r);`;
  return (
    `count += ${k}; ${spill(...ARGS)} vm.count = count; ` +
    `if (${f} === undefined) ${f} = registerHelperAt(vm, ${imm}, ${src}); ` +
    `if (${f} === null) callHelper(vm, ${i}, ${imm}, ${src}); else { ${direct} } ` +
    `${reload(0)} ${REFRESH} ${afterCall(i)}`
  );
}

export function callx(i: number, d: number, k: number): string {
  return `count += ${k}; ${SPILL} vm.count = count; pc = callxOp(vm, ${i}, ${d}); ${reload(0, 10)} ${REFRESH} ${afterCall(i)} continue dispatch;`; // prettier-ignore
}

/**
 * The registers a run of runRepeat starts with, kept at entry: r1 (the
 * context) and r10 (the frame pointer); the others start at 0.
 */
export function repeatEntry(): string {
  const keep = [1, 10].filter((r) => used.has(r)).map((r) => `e${r}l = l${r}, e${r}h = h${r}`);
  return keep.length > 0 ? `const ${keep.join(", ")};` : "";
}

/**
 * The next run of runRepeat (Vm.runRepeat): the finished run's count and r0
 * recorded in the VM, a run's starting registers and may_goto budget, and
 * on from `entry` — no spill, no return and no call per repetition.
 */
function nextRun(): string {
  const regs = ALL.filter((r) => used.has(r))
    .map((r) => (r === 1 || r === 10 ? `l${r} = e${r}l; h${r} = e${r}h;` : `l${r} = 0; h${r} = 0;`))
    .join(" ");
  return (
    `rep--; vm.total += count; vm.exitR0 = l0 >>> 0; vm.repeatDone++; count = 0; ${regs} ` +
    `vm.mayGoto[0] = ${MAY_GOTO_BUDGET}; ${REFRESH} pc = entry; continue dispatch;`
  );
}

export function exit(i: number, k: number): string {
  return (
    `count += ${k}; if (rep > 1 && vm.depth === base) { ${nextRun()} } ` +
    `vm.count = count; ${SPILL} if (vm.depth === base) return -1; ` +
    `pc = returnLocal(vm); ${reload(...SAVED, 10)} ${afterCall(i)} continue dispatch;`
  );
}

/** lddw: a pseudo src is resolved on first execution (lddwPseudo clears it in `ins`). */
export function lddw(i: number, d: number, pseudo: boolean, k: number): string {
  const resolve = pseudo
    ? `if (((ins[${i * 4}] >> 12) & 15) !== 0) { vm.count = count + ${k}; lddwPseudo(vm, ${i}); ${REFRESH} } ` // prettier-ignore
    : "";
  return `${resolve}${lo(d)} = k32[${2 * i}]; ${hi(d)} = k32[${2 * i + 1}];`;
}

/** LD_ABS / LD_IND: out of bounds ends the program with r0 = 0, as in Linux. */
export function ldPacketOp(i: number, w: number, imm: number, k: number): string {
  return (
    `${spill((w >> 12) & 15)} vm.count = count + ${k}; ` +
    `if (!ldPacket(vm, ${i}, ${w}, ${imm})) { ${SPILL} I32[0] = 0; I32[1] = 0; vm.depth = base; return -1; } ` +
    `${reload(0)} ${REFRESH}`
  );
}

export function atomicOp(i: number, w: number, off: number, imm: number, k: number): string {
  const d = (w >> 8) & 15;
  const s = (w >> 12) & 15;
  return `${spill(0, d, s)} vm.count = count + ${k}; atomic(vm, ${i}, ${w}, ${off}, ${imm}); ${reload(0, d, s)} ${REFRESH}`; // prettier-ignore
}

/** 64-bit div/mod through the interpreter's helper, on dst's slot of the register file. */
export function divmod64(op: number, d: number, sl: string, sh: string, off: number): string {
  const mod = (op & 0xf0) === 0x90;
  return `I32[${2 * d}] = ${lo(d)}; I32[${2 * d + 1}] = ${hi(d)}; divmod64h(I32, U64, ${2 * d}, ${sl}, ${sh}, ${off === 1}, ${mod}); ${reload(d)}`; // prettier-ignore
}

export function invalid(i: number, reason: string | undefined, k: number): string {
  const message = JSON.stringify(`invalid instruction: ${reason ?? "unknown opcode"}`);
  return `vm.count = count + ${k}; fault(vm, ${i}, "invalid", ${message});`;
}
