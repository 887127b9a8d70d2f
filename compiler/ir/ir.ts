// The IR between the AST and BPF instructions: functions of basic blocks over
// unlimited virtual registers. It is not SSA (a local is one vreg assigned
// many times), which keeps lowering simple; the passes in opt/ work on it
// with per-block facts. Every operation carries its register width (32 or
// 64), chosen by lowering from the integer types, so instruction selection
// can use 32-bit subregisters where the width allows.

import type { SourcePos } from "../../bpf/isa/index.js";

export type Width = 32 | 64;
export type VReg = number;

export type Operand = { kind: "reg"; reg: VReg } | { kind: "imm"; value: bigint };

export type AluKind =
  | "add"
  | "sub"
  | "mul"
  | "udiv"
  | "sdiv"
  | "umod"
  | "smod"
  | "or"
  | "and"
  | "xor"
  | "shl"
  | "lshr"
  | "ashr";

export type CondKind =
  "eq" | "ne" | "ugt" | "uge" | "ult" | "ule" | "sgt" | "sge" | "slt" | "sle" | "set";

export type IrInsn =
  /** zext: a 32-bit mov kept even when dst == src, for its zero-extension. */
  (
    | { op: "mov"; w: Width; dst: VReg; src: Operand; zext?: boolean }
    | { op: "alu"; w: Width; alu: AluKind; dst: VReg; a: VReg; b: Operand }
    | { op: "neg"; w: Width; dst: VReg; a: VReg }
    /** Sign-extend the low `bits` of src (cpu v4 movsx). */
    | { op: "movsx"; w: Width; dst: VReg; src: VReg; bits: 8 | 16 | 32 }
    /** Host <-> network byte order of the low `bits` (zero-extends). */
    | { op: "swap"; dst: VReg; src: VReg; bits: 16 | 32 | 64 }
    | { op: "load"; size: 1 | 2 | 4 | 8; dst: VReg; base: VReg; off: number }
    /** noImm: the value must come from a register (context stores refuse BPF_ST). */
    | { op: "store"; size: 1 | 2 | 4 | 8; base: VReg; off: number; src: Operand; noImm?: boolean }
    /** dst = r10 + off: the address of a stack object. */
    | { op: "frame"; dst: VReg; off: number }
    | { op: "call"; dst?: VReg; helper: number; args: Operand[] }
    | { op: "calllocal"; dst?: VReg; fn: string; args: Operand[] }
    /** lddw of a relocated address: a map, a global variable, a callback (lower-maps.ts). */
    | { op: "ldaddr"; dst: VReg; reloc: "map" | "data" | "func"; symbol: string }
    /** BPF atomic RMW on *(base + off); with fetch, src is overwritten with the old value (dst === src). `a`: cmpxchg's expected value (r0). */
    | {
        op: "atomic";
        size: 4 | 8;
        aop: number;
        base: VReg;
        off: number;
        src: VReg;
        dst?: VReg;
        a?: VReg;
      }
    /** A kfunc call through a `.ksyms` extern (CallKfunc). */
    | { op: "callkfunc"; dst?: VReg; fn: string; args: Operand[] }
    /** Register allocation's spill code: 8 bytes at r10 + off. */
    | { op: "reload"; dst: VReg; off: number }
    | { op: "spill"; src: VReg; off: number }
  ) & {
    source?: SourcePos;
    /** The value written is a pointer known to be non-null (packet/stack/ctx). */
    nonNull?: boolean;
  };

export type Terminator = (
  | { op: "jmp"; target: Block }
  | { op: "br"; w: Width; cond: CondKind; a: VReg; b: Operand; then: Block; else: Block }
  | { op: "ret"; value: Operand }
) & { source?: SourcePos };

export interface Block {
  id: number;
  insns: IrInsn[];
  term: Terminator;
}

/** A stack object lowering reserved (a struct, a key or value slot, an iterator): r10 + off. */
export interface StackObject {
  off: number;
  size: number;
}

export interface IrFunction {
  name: string;
  /** vregs holding the parameters on entry (r1..r5 by the calling convention). */
  params: VReg[];
  blocks: Block[];
  entry: Block;
  nextVreg: number;
  /** Bytes of stack used by stack objects (spill slots come after). */
  frameSize: number;
  /** Every stack object, where lowering placed it; regalloc/stack-slots.ts packs them. */
  stackObjects: StackObject[];
  /** vregs whose value is a pointer (never 32-bit, never spilled partially). */
  pointers: Set<VReg>;
  source?: SourcePos;
}

export function imm(value: bigint | number): Operand {
  return { kind: "imm", value: BigInt(value) };
}
export function reg(r: VReg): Operand {
  return { kind: "reg", reg: r };
}

/** vregs an instruction reads. */
export function usesOf(i: IrInsn | Terminator): VReg[] {
  const ops = (o: Operand[]) => o.flatMap((x) => (x.kind === "reg" ? [x.reg] : []));
  switch (i.op) {
    case "mov":
      return ops([i.src]);
    case "alu":
      return [i.a, ...ops([i.b])];
    case "neg":
      return [i.a];
    case "movsx":
    case "swap":
      return [i.src];
    case "load":
      return [i.base];
    case "store":
      return [i.base, ...ops([i.src])];
    case "frame":
    case "reload":
      return [];
    case "spill":
      return [i.src];
    case "call":
    case "calllocal":
    case "callkfunc":
      return ops(i.args);
    case "ldaddr":
      return [];
    case "atomic":
      return [i.base, i.src, ...(i.a !== undefined ? [i.a] : [])];
    case "jmp":
      return [];
    case "br":
      return [i.a, ...ops([i.b])];
    case "ret":
      return ops([i.value]);
  }
}

/** The vreg an instruction writes, if any. */
export function defOf(i: IrInsn): VReg | undefined {
  return "dst" in i ? i.dst : undefined;
}

export function successors(b: Block): Block[] {
  const t = b.term;
  if (t.op === "jmp") return [t.target];
  if (t.op === "br") return t.then === t.else ? [t.then] : [t.then, t.else];
  return [];
}

/** Whether `to` can be reached from `from` (the path may be empty). */
export function canReach(from: Block, to: Block): boolean {
  const seen = new Set<Block>();
  const stack = [from];
  while (stack.length) {
    const b = stack.pop()!;
    if (b === to) return true;
    if (seen.has(b)) continue;
    seen.add(b);
    stack.push(...successors(b));
  }
  return false;
}

/**
 * Blocks reachable from entry, in a depth-first order that keeps fallthroughs:
 * the "then"/jmp successor is laid out next, except that a branch inside a
 * loop continues with the side that stays in the loop, so the loop's blocks
 * are contiguous and its exit follows the back edge's branch (no `goto`).
 */
export function reachableBlocks(f: IrFunction): Block[] {
  const seen = new Set<Block>();
  const order: Block[] = [];
  const visit = (b: Block) => {
    const stack = [b];
    while (stack.length) {
      const x = stack.pop()!;
      if (seen.has(x)) continue;
      seen.add(x);
      order.push(x);
      // Push the side laid out later first.
      const succ = successors(x);
      if (succ.length === 2 && !canReach(succ[0]!, x) && canReach(succ[1]!, x)) succ.reverse();
      for (let i = succ.length - 1; i >= 0; i--) if (!seen.has(succ[i]!)) stack.push(succ[i]!);
    }
  };
  visit(f.entry);
  return order;
}

export function invertCond(c: CondKind): CondKind | undefined {
  const inv: Partial<Record<CondKind, CondKind>> = {
    eq: "ne",
    ne: "eq",
    ugt: "ule",
    ule: "ugt",
    uge: "ult",
    ult: "uge",
    sgt: "sle",
    sle: "sgt",
    sge: "slt",
    slt: "sge",
  };
  return inv[c];
}

/** The condition with operands swapped (a < b  <=>  b > a). */
export function swapCond(c: CondKind): CondKind {
  const sw: Record<CondKind, CondKind> = {
    eq: "eq",
    ne: "ne",
    set: "set",
    ugt: "ult",
    ult: "ugt",
    uge: "ule",
    ule: "uge",
    sgt: "slt",
    slt: "sgt",
    sge: "sle",
    sle: "sge",
  };
  return sw[c];
}
