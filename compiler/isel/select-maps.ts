// Instruction selection for the IR operations of part 2 (maps, global data,
// callbacks, atomics): relocated `lddw`s and the BPF atomic instructions.
// cmpxchg compares against r0 and returns the old value in r0; the register
// allocator treats it as a call site (nothing lives across it in r0-r5), so
// r1-r5 are free scratch here when an operand already sits in r0.

import {
  Atomic,
  AtomicOp,
  type Instruction,
  LoadDataPtr,
  LoadFuncPtr,
  LoadMapPtr,
  Mov64,
} from "../../bpf/isa/index.js";
import type { IrInsn } from "../ir/ir.js";

type MemoryOp = Extract<IrInsn, { op: "ldaddr" | "atomic" }>;

export function selectMemoryOp(i: MemoryOp, R: (v: number) => number): Instruction[] {
  if (i.op === "ldaddr") {
    const d = R(i.dst);
    if (i.reloc === "map") return [LoadMapPtr(d, i.symbol)];
    if (i.reloc === "data") return [LoadDataPtr(d, i.symbol)];
    return [LoadFuncPtr(d, i.symbol)];
  }
  let base = R(i.base);
  let src = R(i.src);
  if (i.aop !== AtomicOp.CMPXCHG) return [Atomic(i.size, i.aop, base, i.off, src)];
  const out: Instruction[] = [];
  const expected = R(i.a!);
  const used = new Set([base, src, expected]);
  const scratch = () => {
    const r = [1, 2, 3, 4, 5].find((x) => !used.has(x))!;
    used.add(r);
    return r;
  };
  if (base === 0) {
    const s = scratch();
    out.push(Mov64.reg(s, 0));
    base = s;
  }
  if (src === 0) {
    const s = scratch();
    out.push(Mov64.reg(s, 0));
    src = s;
  }
  if (expected !== 0) out.push(Mov64.reg(0, expected));
  out.push(Atomic(i.size, AtomicOp.CMPXCHG, base, i.off, src));
  if (i.dst !== undefined && R(i.dst) !== 0) out.push(Mov64.reg(R(i.dst), 0));
  return out;
}
