// data / data_end loaded once per program instead of once per header view
// (bench/ANALYSIS.md item 3). The IR is not SSA, so two vregs can hold the
// current packet bounds everywhere: they are loaded at the top of the entry
// block (which dominates every view), and loaded again right after every
// call that may move packet data (the CHANGES_PACKET helpers, and any
// BPF-to-BPF call, whose callee may have called one), so every path sees
// fresh values. Reloads nobody reads are removed by dead-code elimination.
// Only the program's own context is cached, and only when no such call came
// before the first view (the entry loads would be stale after it).

import { CHANGES_PACKET, HELPERS, type ContextFacts } from "../types/kernel-facts.js";
import type { IrFunction, IrInsn, VReg } from "./ir.js";
import type { Lowering } from "./lower-context.js";

interface Cache {
  data: VReg;
  dataEnd: VReg;
  ctx: VReg;
  facts: ContextFacts;
}

const caches = new WeakMap<Lowering, Cache | "off">();
const MOVING_IDS = new Set([...CHANGES_PACKET].map((n) => HELPERS.get(n)?.id));

function loads(c: Cache): IrInsn[] {
  return [
    { op: "load", size: 4, dst: c.data, base: c.ctx, off: c.facts.data },
    { op: "load", size: 4, dst: c.dataEnd, base: c.ctx, off: c.facts.dataEnd },
  ];
}

/**
 * The vregs holding data and data_end for a view of `ctxReg`. `freshData`: a
 * view at a variable offset starts from data loaded again. The verifier marks
 * a checked range on every pointer sharing the view's id, and a variable that
 * is a known constant on a path (an option offset in a loop) leaves the view
 * with the cached data's id: the cached register would then carry a range
 * that differs per iteration, and loop states would stop pruning (tcp_opts:
 * 14699 instructions processed instead of 6014). A fresh load has its own id.
 */
export function packetBounds(
  L: Lowering,
  ctxReg: VReg,
  facts: ContextFacts,
  freshData = false,
): { data: VReg; dataEnd: VReg } {
  let c = caches.get(L);
  if (c === undefined) {
    c = ctxReg === L.ctxReg && L.packetGeneration === 0 ? undefined : "off";
    if (c === undefined) {
      c = { data: L.b.vreg(true), dataEnd: L.b.vreg(true), ctx: ctxReg, facts };
      const at = L.b.fn.source;
      L.b.fn.entry.insns.unshift(...loads(c).map((i) => (at ? { ...i, source: at } : i)));
    }
    caches.set(L, c);
  }
  if (c !== "off" && c.ctx === ctxReg) {
    if (!freshData) return c;
    const data = L.b.vreg(true);
    L.b.emit({ op: "load", size: 4, dst: data, base: ctxReg, off: facts.data });
    return { data, dataEnd: c.dataEnd };
  }
  const data = L.b.vreg(true);
  const dataEnd = L.b.vreg(true);
  L.b.emit({ op: "load", size: 4, dst: data, base: ctxReg, off: facts.data });
  L.b.emit({ op: "load", size: 4, dst: dataEnd, base: ctxReg, off: facts.dataEnd });
  return { data, dataEnd };
}

/** After lowering: reload the cached bounds after every call that may move packet data. */
export function reloadAfterCalls(L: Lowering, fn: IrFunction): void {
  const c = caches.get(L);
  if (!c || c === "off") return;
  for (const b of fn.blocks) {
    const out: IrInsn[] = [];
    for (const i of b.insns) {
      out.push(i);
      const moves = (i.op === "call" && MOVING_IDS.has(i.helper)) || i.op === "calllocal";
      if (moves) out.push(...loads(c).map((x) => (i.source ? { ...x, source: i.source } : x)));
    }
    b.insns = out;
  }
}
