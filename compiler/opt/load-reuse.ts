// Load reuse: a load of the same bytes (same base vreg, offset and size) as
// an earlier load, on every path to it, with nothing in between that could
// have changed them, becomes a copy of the earlier result (copy propagation
// then removes it). `ip.protocol` tested in each arm of an `else if` chain
// and option bytes read twice are the usual sources.
//
// What invalidates a remembered load: a write to its base or result vreg; a
// store through the same base that overlaps it, or through any other base
// (it may alias); any call (helpers can move packet data or change map
// values) and any atomic.

import type { IrFunction, IrInsn, VReg } from "../ir/ir.js";
import { defOf, reg } from "../ir/ir.js";
import { availableAtEntry, type Facts } from "./available.js";

interface Loaded {
  base: VReg;
  off: number;
  size: number;
  dst: VReg;
}

const keyOf = (base: VReg, off: number, size: number) => `${base}:${off}:${size}`;

function transfer(reusable: (v: VReg) => boolean, facts: Facts<Loaded>, i: IrInsn): void {
  const kill = (p: (l: Loaded) => boolean) => {
    for (const [k, l] of facts) if (p(l)) facts.delete(k);
  };
  switch (i.op) {
    case "call":
    case "calllocal":
    case "callkfunc":
    case "atomic":
      facts.clear();
      return;
    case "store":
      kill((l) => l.base !== i.base || (l.off < i.off + i.size && i.off < l.off + l.size));
      return;
  }
  const d = defOf(i);
  if (d !== undefined) kill((l) => l.base === d || l.dst === d);
  // A load that overwrites its own base cannot be reused: the base is gone.
  if (i.op === "load" && i.dst !== i.base && reusable(i.dst))
    facts.set(keyOf(i.base, i.off, i.size), { base: i.base, off: i.off, size: i.size, dst: i.dst });
}

/**
 * Pointers added to a variable offset somewhere in `f`. A context data load
 * that starts a view at a variable offset is reloaded on purpose
 * (ir/packet-bounds.ts): the view gets its own verifier id, so its range
 * marks do not land on a data register shared across a loop, and loop states
 * still prune. Such loads are neither reused nor reused from; data_end and
 * data loads used at constant offsets only are.
 */
function variableOffsetBases(f: IrFunction): Set<VReg> {
  const out = new Set<VReg>();
  for (const b of f.blocks)
    for (const i of b.insns)
      if (i.op === "alu" && i.alu === "add" && i.w === 64 && i.b.kind === "reg") {
        if (f.pointers.has(i.a)) out.add(i.a);
        if (f.pointers.has(i.b.reg)) out.add(i.b.reg);
      }
  return out;
}

export function reuseLoads(f: IrFunction): boolean {
  const varBases = variableOffsetBases(f);
  const reusable = (v: VReg) => !f.pointers.has(v) || !varBases.has(v);
  const entry = availableAtEntry<Loaded>(
    f,
    (facts, i) => transfer(reusable, facts, i),
    (a, b) => a.dst === b.dst,
  );
  let changed = false;
  for (const [b, facts] of entry) {
    b.insns = b.insns.map((i) => {
      let x = i;
      if (i.op === "load") {
        const l = facts.get(keyOf(i.base, i.off, i.size));
        if (l && f.pointers.has(l.dst) === f.pointers.has(i.dst) && reusable(i.dst)) {
          x = {
            op: "mov",
            w: 64,
            dst: i.dst,
            src: reg(l.dst),
            ...(i.source ? { source: i.source } : {}),
          };
          changed = true;
        }
      }
      transfer(reusable, facts, x);
      return x;
    });
  }
  return changed;
}
