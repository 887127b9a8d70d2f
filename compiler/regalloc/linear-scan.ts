// Linear-scan register allocation over the intervals, respecting the BPF
// calling convention: r1-r5 carry arguments and, with r0, are clobbered by
// calls, so a value live across a call gets r6-r9; r0 returns; r10 is the
// read-only frame pointer and never allocated. Hints make copies and
// two-address operations coalesce (same register, no mov). When registers
// run out the interval ending last is spilled to an 8-byte stack slot:
// spill code is inserted and allocation runs again.

import { type IrFunction, type IrInsn, usesOf as usesOfLocal, type VReg } from "../ir/ir.js";
import { buildIntervals, type Interval } from "./intervals.js";

export interface Allocation {
  regOf: Map<VReg, number>;
  /** Bytes below r10 used by stack objects and spill slots. */
  frameSize: number;
}

const CALLER_SAVED = [1, 2, 3, 4, 5, 0];
const CALLEE_SAVED = [6, 7, 8, 9];

/** The first position (from `after` on) where both intervals are live, if any. */
function firstOverlap(a: Interval, b: Interval, after = 0): number | undefined {
  let i = 0;
  let j = 0;
  const sa = a.segments;
  const sb = b.segments;
  while (i < sa.length && j < sb.length) {
    const from = Math.max(sa[i]![0], sb[j]![0], after);
    const to = Math.min(sa[i]![1], sb[j]![1]);
    if (from <= to) return from;
    if (sa[i]![1] < sb[j]![1]) i++;
    else j++;
  }
  return undefined;
}

function tryAllocate(intervals: Map<VReg, Interval>): { regOf: Map<VReg, number>; spill: VReg[] } {
  const sorted = [...intervals.values()]
    .filter((i) => i.end >= i.start)
    .sort((a, b) => a.start - b.start || a.vreg - b.vreg);
  const regOf = new Map<VReg, number>();
  const active: Interval[] = [];
  const spill: VReg[] = [];
  for (const [index, cur] of sorted.entries()) {
    // Expire intervals that ended before this one starts.
    for (let k = active.length - 1; k >= 0; k--)
      if (active[k]!.end < cur.start) active.splice(k, 1);
    const busy = new Map<number, Interval[]>();
    for (const a of active) {
      const r = regOf.get(a.vreg)!;
      busy.set(r, [...(busy.get(r) ?? []), a]);
    }
    const allowed = cur.crossesCall ? CALLEE_SAVED : [...CALLER_SAVED, ...CALLEE_SAVED];
    // A register is usable if every vreg holding it is dead wherever cur is live, or the one
    // that overlaps is a hinted vreg that dies exactly where cur starts (the operand of the
    // instruction that defines cur).
    const usable = (r: number, viaHint: boolean): boolean => {
      if (!allowed.includes(r)) return false;
      return (busy.get(r) ?? []).every((holder) => {
        const at = firstOverlap(holder, cur);
        if (at === undefined) return true;
        return (
          viaHint &&
          at === cur.start &&
          cur.vregHints.includes(holder.vreg) &&
          !cur.notWith.includes(holder.vreg) &&
          firstOverlap(holder, cur, at + 1) === undefined
        );
      });
    };
    let choice: number | undefined;
    for (const v of cur.vregHints) {
      const r = regOf.get(v);
      if (r !== undefined && usable(r, true)) {
        choice = r;
        break;
      }
    }
    if (choice === undefined) choice = cur.fixedHints.find((r) => usable(r, false));
    // Otherwise a register no later interval overlapping cur wants for a call argument or a
    // return value: taking it would force that one elsewhere and cost a move (or a swap).
    // (Looks at the next few intervals only, which keeps huge functions linear.)
    const wanted = (r: number) => {
      for (let k = index + 1; k < sorted.length && k <= index + 32; k++) {
        const o = sorted[k]!;
        if (o.start > cur.end) break;
        if (o.fixedHints[0] === r && firstOverlap(o, cur) !== undefined) return true;
      }
      return false;
    };
    if (choice === undefined) choice = allowed.find((r) => usable(r, false) && !wanted(r));
    if (choice === undefined) choice = allowed.find((r) => usable(r, false));
    if (choice === undefined) {
      // Spill whichever spillable candidate ends last (cur included).
      const candidates = [
        cur,
        ...active.filter((a) => allowed.includes(regOf.get(a.vreg)!)),
      ].filter((i) => !i.noSpill);
      const victim = candidates.sort((a, b) => b.end - a.end)[0];
      if (!victim) throw new Error("register allocation failed: too many values live at once");
      spill.push(victim.vreg);
      if (victim === cur) continue;
      choice = regOf.get(victim.vreg)!;
      active.splice(active.indexOf(victim), 1);
      regOf.delete(victim.vreg);
    }
    regOf.set(cur.vreg, choice);
    active.push(cur);
  }
  return { regOf, spill };
}

/** Rewrite every use/def of spilled vregs through fresh, short-lived temporaries. */
function insertSpillCode(f: IrFunction, slots: Map<VReg, number>, noSpill: Set<VReg>): void {
  const fresh = (pointer: boolean) => {
    const v = f.nextVreg++;
    noSpill.add(v);
    if (pointer) f.pointers.add(v);
    return v;
  };
  const renameUses = <T extends object>(i: T, map: Map<VReg, VReg>): T => {
    const sub = (o: { kind: "reg"; reg: VReg } | { kind: "imm"; value: bigint }) =>
      o.kind === "reg" && map.has(o.reg) ? { kind: "reg" as const, reg: map.get(o.reg)! } : o;
    const x = { ...i } as Record<string, unknown>;
    for (const key of ["a", "base", "src"] as const) {
      const v = x[key];
      if (typeof v === "number" && map.has(v)) x[key] = map.get(v);
      else if (v && typeof v === "object" && "kind" in (v as object)) x[key] = sub(v as never);
    }
    for (const key of ["b", "value"] as const)
      if (x[key] && typeof x[key] === "object") x[key] = sub(x[key] as never);
    if (Array.isArray(x["args"])) x["args"] = (x["args"] as never[]).map(sub);
    return x as T;
  };
  for (const b of f.blocks) {
    const out: IrInsn[] = [];
    const reloadUses = (uses: VReg[]) => {
      const map = new Map<VReg, VReg>();
      for (const u of uses) {
        const off = slots.get(u);
        if (off === undefined || map.has(u)) continue;
        const t = fresh(f.pointers.has(u));
        out.push({ op: "reload", dst: t, off });
        map.set(u, t);
      }
      return map;
    };
    for (const i of b.insns) {
      const uses = usesOfLocal(i);
      const map = reloadUses(uses);
      let x = renameUses(i, map);
      const d = "dst" in x ? (x as { dst?: VReg }).dst : undefined;
      if (d !== undefined && slots.has(d)) {
        const t = fresh(f.pointers.has(d));
        x = { ...x, dst: t } as IrInsn;
        out.push(x);
        out.push({ op: "spill", src: t, off: slots.get(d)! });
      } else out.push(x);
    }
    const map = reloadUses(usesOfLocal(b.term));
    b.term = renameUses(b.term, map);
    b.insns = out;
  }
}

export function allocateRegisters(f: IrFunction, frameBase: number): Allocation {
  const noSpill = new Set<VReg>();
  const slots = new Map<VReg, number>();
  let frame = frameBase;
  for (let round = 0; round < 20; round++) {
    const { intervals } = buildIntervals(f, noSpill);
    const r = tryAllocate(intervals);
    if (r.spill.length === 0) return { regOf: r.regOf, frameSize: frame };
    const newSlots = new Map<VReg, number>();
    for (const v of r.spill) {
      frame += 8;
      slots.set(v, -frame);
      newSlots.set(v, -frame);
    }
    // Parameters arrive in registers: store them to their slot on entry.
    for (const p of f.params)
      if (newSlots.has(p)) {
        const t = f.nextVreg++;
        noSpill.add(t);
        f.entry.insns.unshift({ op: "spill", src: t, off: newSlots.get(p)! });
        f.params[f.params.indexOf(p)] = t;
      }
    insertSpillCode(f, newSlots, noSpill);
  }
  throw new Error("register allocation did not converge");
}
