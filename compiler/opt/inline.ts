// Inlining of small local functions, on the IR, before each function is
// optimized. A BPF-to-BPF call costs the call, argument moves, a second
// exit per return path, and the callee reloading context fields (data,
// data_end) the caller already has; the verifier also checks the callee once
// per call site anyway. clang inlines such static functions; so do we when
// the callee is small or called once, calls no other local function (after
// its own callees were inlined), and the combined stack stays small.
//
// The callee's blocks are cloned into the caller with fresh vregs and block
// ids; its stack objects move below the caller's; parameters become copies
// of the arguments and each `ret v` becomes `dst = v; jmp continuation`.
// Functions no longer called (and not referenced as callbacks) are dropped.

import type { Block, IrFunction, IrInsn, Operand, Terminator, VReg } from "../ir/ir.js";
import { reachableBlocks, reg } from "../ir/ir.js";
import type { IrModule } from "../ir/lower-module.js";
import { mapUses } from "./copies.js";

/** IR instructions (terminators included) a callee may have to be inlined at any number of sites. */
const SMALL = 40;
/** A callee called once is inlined up to this size. */
const SINGLE_CALL_LIMIT = 400;
/** Stack bytes the caller may reach through inlined frames (BPF allows 512 for the whole chain). */
const STACK_LIMIT = 256;

const size = (f: IrFunction) => f.blocks.reduce((n, b) => n + b.insns.length + 1, 0);

const callsLocal = (f: IrFunction) =>
  f.blocks.some((b) => b.insns.some((i) => i.op === "calllocal"));

function callSites(mod: IrModule, name: string): number {
  let n = 0;
  for (const f of [...mod.programs.map((p) => p.fn), ...mod.functions])
    for (const b of f.blocks)
      for (const i of b.insns) if (i.op === "calllocal" && i.fn === name) n++;
  return n;
}

function referencedAsCallback(mod: IrModule, name: string): boolean {
  return [...mod.programs.map((p) => p.fn), ...mod.functions].some((f) =>
    f.blocks.some((b) =>
      b.insns.some((i) => i.op === "ldaddr" && i.reloc === "func" && i.symbol === name),
    ),
  );
}

const byName = (mod: IrModule, name: string): IrFunction =>
  mod.functions.find((f) => f.name === name)!;

function nextBlockId(f: IrFunction): number {
  return Math.max(0, ...f.blocks.map((b) => b.id)) + 1;
}

/** Copy `callee` into `caller` at `caller`'s block `at`, instruction `k` (a calllocal). */
function inlineAt(caller: IrFunction, at: Block, k: number, callee: IrFunction): void {
  const call = at.insns[k] as Extract<IrInsn, { op: "calllocal" }>;
  const vregBase = caller.nextVreg;
  const v = (x: VReg) => x + vregBase;
  const frameBase = Math.ceil(caller.frameSize / 8) * 8;
  let id = nextBlockId(caller);
  const cont: Block = { id: id++, insns: at.insns.slice(k + 1), term: at.term };
  const clones = new Map<Block, Block>();
  const calleeBlocks = reachableBlocks(callee);
  for (const b of calleeBlocks)
    clones.set(b, { id: id++, insns: [], term: { op: "jmp", target: cont } });
  const mapTerm = (t: Terminator): Terminator => {
    if (t.op === "jmp") return { ...t, target: clones.get(t.target)! };
    if (t.op === "br")
      return { ...mapUses(t, v), then: clones.get(t.then)!, else: clones.get(t.else)! };
    return t; // ret: handled by the caller of mapTerm
  };
  for (const b of calleeBlocks) {
    const c = clones.get(b)!;
    c.insns = b.insns.map((i) => {
      const x = mapUses(i, v) as IrInsn & { dst?: VReg; off?: number };
      if (x.dst !== undefined) x.dst = v(x.dst);
      if (x.op === "frame") x.off = x.off - frameBase;
      return x as IrInsn;
    });
    const t = b.term;
    if (t.op === "ret") {
      const value: Operand = t.value.kind === "reg" ? reg(v(t.value.reg)) : t.value;
      if (call.dst !== undefined)
        c.insns.push({
          op: "mov",
          w: 64,
          dst: call.dst,
          src: value,
          ...(t.source ? { source: t.source } : {}),
        });
      c.term = { op: "jmp", target: cont, ...(t.source ? { source: t.source } : {}) };
    } else c.term = mapTerm(t);
  }
  for (const p of callee.pointers) caller.pointers.add(v(p));
  // Parameters: copies of the arguments, then into the callee's entry.
  at.insns = at.insns.slice(0, k);
  callee.params.forEach((p, n) => {
    const a = call.args[n];
    if (a)
      at.insns.push({
        op: "mov",
        w: 64,
        dst: v(p),
        src: a,
        ...(call.source ? { source: call.source } : {}),
      });
  });
  at.term = { op: "jmp", target: clones.get(callee.entry)! };
  caller.nextVreg = vregBase + callee.nextVreg;
  caller.frameSize = frameBase + callee.frameSize;
  for (const o of callee.stackObjects)
    caller.stackObjects.push({ off: o.off - frameBase, size: o.size });
  caller.blocks.push(cont, ...clones.values());
}

function inlineInto(caller: IrFunction, mod: IrModule, done: Set<string>): boolean {
  let changed = false;
  for (let guard = 0; guard < 64; guard++) {
    let found = false;
    for (const b of caller.blocks) {
      const k = b.insns.findIndex(
        (i) =>
          i.op === "calllocal" &&
          done.has(i.fn) &&
          i.fn !== caller.name &&
          Math.ceil(caller.frameSize / 8) * 8 + byName(mod, i.fn).frameSize <= STACK_LIMIT,
      );
      if (k < 0) continue;
      const name = (b.insns[k] as { fn: string }).fn;
      const callee = byName(mod, name);
      inlineAt(caller, b, k, callee);
      found = changed = true;
      break;
    }
    if (!found) break;
  }
  return changed;
}

export function inlineSmallFunctions(mod: IrModule): void {
  const inlinable = (f: IrFunction): boolean =>
    !callsLocal(f) &&
    !referencedAsCallback(mod, f.name) &&
    (size(f) <= SMALL || (callSites(mod, f.name) === 1 && size(f) <= SINGLE_CALL_LIMIT));
  // Leaves first: a function whose callees were all inlined becomes a leaf.
  for (let round = 0; round < 16; round++) {
    const leaves = new Set(mod.functions.filter(inlinable).map((f) => f.name));
    if (leaves.size === 0) break;
    let changed = false;
    for (const f of [...mod.programs.map((p) => p.fn), ...mod.functions]) {
      if (leaves.has(f.name)) continue;
      changed = inlineInto(f, mod, leaves) || changed;
    }
    if (!changed) break;
  }
  mod.functions = mod.functions.filter(
    (f) => callSites(mod, f.name) > 0 || referencedAsCallback(mod, f.name),
  );
}
