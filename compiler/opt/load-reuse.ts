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

function transfer(f: IrFunction, facts: Facts<Loaded>, i: IrInsn): void {
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
  // Pointer loads (the context's data and data_end) are left alone: a view at
  // a variable offset reloads data on purpose (ir/packet-bounds.ts), so that
  // its verifier id and range marks stay its own and loop states prune.
  if (i.op === "load" && i.dst !== i.base && !f.pointers.has(i.dst))
    facts.set(keyOf(i.base, i.off, i.size), { base: i.base, off: i.off, size: i.size, dst: i.dst });
}

export function reuseLoads(f: IrFunction): boolean {
  const entry = availableAtEntry<Loaded>(
    f,
    (facts, i) => transfer(f, facts, i),
    (a, b) => a.dst === b.dst,
  );
  let changed = false;
  for (const [b, facts] of entry) {
    b.insns = b.insns.map((i) => {
      let x = i;
      if (i.op === "load") {
        const l = facts.get(keyOf(i.base, i.off, i.size));
        if (l && f.pointers.has(l.dst) === f.pointers.has(i.dst)) {
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
      transfer(f, facts, x);
      return x;
    });
  }
  return changed;
}
