// Masks before narrow stores: `t = x & 0xff; *(u8 *)(p + k) = t` stores the
// same byte as `*(u8 *)(p + k) = x`, since a store of n bytes only reads the
// low n bytes of its register. Lowering masks every u8/u16 result to keep
// values canonical; where the masked value only feeds a store that narrow
// or narrower, the store takes x and dead-code removal drops the mask
// (`ip.ttl = (ip.ttl - 1) as u8`, `ip.check = ... as u16`).

import type { IrFunction, VReg } from "../ir/ir.js";
import { defsOf } from "./copies.js";

export function storeUnmasked(f: IrFunction): boolean {
  let changed = false;
  for (const b of f.blocks) {
    for (let k = 0; k < b.insns.length; k++) {
      const st = b.insns[k]!;
      if (st.op !== "store" || st.src.kind !== "reg") continue;
      const t = st.src.reg;
      const low = (1n << BigInt(8 * st.size)) - 1n;
      // t's definition in this block, with its operand unchanged since.
      let x: VReg | undefined;
      for (let j = k - 1; j >= 0; j--) {
        const i = b.insns[j]!;
        if (!defsOf(i).includes(t)) continue;
        if (i.op === "alu" && i.alu === "and" && i.b.kind === "imm" && i.a !== t) {
          const mask = BigInt.asUintN(i.w, i.b.value);
          if ((mask & low) === low && !f.pointers.has(i.a)) x = i.a;
        }
        for (let m = j + 1; m < k && x !== undefined; m++)
          if (defsOf(b.insns[m]!).includes(x)) x = undefined;
        break;
      }
      if (x === undefined || x === st.base) continue;
      b.insns[k] = { ...st, src: { kind: "reg", reg: x } };
      changed = true;
    }
  }
  return changed;
}
