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

/** vregs an instruction reads, in operand order. */
export function usesOf(i: IrInsn | Terminator): VReg[] {
  // Built without closures or flatMap: liveness and the copy passes call this
  // for every instruction on every run, in code V8 does not optimize (--no-opt).
  switch (i.op) {
    case "mov":
      return i.src.kind === "reg" ? [i.src.reg] : [];
    case "alu":
      return i.b.kind === "reg" ? [i.a, i.b.reg] : [i.a];
    case "neg":
      return [i.a];
    case "movsx":
    case "swap":
      return [i.src];
    case "load":
      return [i.base];
    case "store":
      return i.src.kind === "reg" ? [i.base, i.src.reg] : [i.base];
    case "frame":
    case "reload":
      return [];
    case "spill":
      return [i.src];
    case "call":
    case "calllocal":
    case "callkfunc": {
      const out: VReg[] = [];
      for (const x of i.args) if (x.kind === "reg") out.push(x.reg);
      return out;
    }
    case "ldaddr":
      return [];
    case "atomic":
      return i.a !== undefined ? [i.base, i.src, i.a] : [i.base, i.src];
    case "jmp":
      return [];
    case "br":
      return i.b.kind === "reg" ? [i.a, i.b.reg] : [i.a];
    case "ret":
      return i.value.kind === "reg" ? [i.value.reg] : [];
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
 * Blocks reachable from entry in layout order: reverse postorder, so a block
 * comes after every block that reaches it without a back edge. An `if`
 * without `else` then falls through into its body (like clang's layout), and
 * the verifier, which walks the fallthrough of a branch first, sees the path
 * that loads or computes values before the path that keeps the initial
 * constants: the later, more specific states are pruned against the earlier,
 * general ones. Laid out the other way round (body out of line), constants
 * are walked first, no range state prunes against them, and a loop whose body
 * branches multiplies them per iteration (fuzz findings verifier-4f9e73cbe717
 * and verifier-184991bc9d8a: over 1,000,000 processed instructions where
 * clang's object for the same C needs 15,278).
 * Of a branch's two successors, "then" is laid out next when both are free;
 * inside a loop the side that stays in the loop is, so the loop's blocks are
 * contiguous and its exit follows the back edge's branch (no `goto`).
 */
export function reachableBlocks(f: IrFunction): Block[] {
  // The passes call this after every change, over a thousand times per corpus
  // compile, mostly on a CFG that did not change: the order is a function of
  // the entry and of the successors of the blocks it reaches, so it is kept
  // per function and reused while those are the same.
  const known = layouts.get(f);
  if (known && known.entry === f.entry && sameEdges(known)) return known.order.slice();
  const order = computeLayout(f);
  const edges: (Block | undefined)[] = [];
  for (const b of order) {
    const succ = successors(b);
    edges.push(succ[0], succ[1]);
  }
  layouts.set(f, { entry: f.entry, order, edges });
  return order.slice();
}

/** A function's last layout: its entry, the order, and each ordered block's successors (two slots per block). */
interface Layout {
  entry: Block;
  order: Block[];
  edges: (Block | undefined)[];
}

const layouts = new WeakMap<IrFunction, Layout>();

/** Whether every block of the layout still has the successors it had (what successors() returns). */
function sameEdges(l: Layout): boolean {
  for (let k = 0; k < l.order.length; k++) {
    const t = l.order[k]!.term;
    let s0: Block | undefined;
    let s1: Block | undefined;
    if (t.op === "jmp") s0 = t.target;
    else if (t.op === "br") {
      s0 = t.then;
      if (t.then !== t.else) s1 = t.else;
    }
    if (l.edges[2 * k] !== s0 || l.edges[2 * k + 1] !== s1) return false;
  }
  return true;
}

function computeLayout(f: IrFunction): Block[] {
  // A successor s of b leads back to b exactly when s and b share a strongly
  // connected component (b -> s is an edge), so one SCC pass answers what a
  // canReach search per branch would, in linear time: the passes call this
  // after every change, and a search per branch made it quadratic.
  const component = stronglyConnected(f.entry);
  const seen = new Set<Block>();
  const postorder: Block[] = [];
  // Depth-first; the successor visited last is laid out right after its block.
  const visitOrder = (b: Block): Block[] => {
    const succ = successors(b);
    if (succ.length < 2) return succ;
    const [then, other] = succ as [Block, Block];
    const own = component.get(b);
    if (component.get(then) !== own && component.get(other) === own) return [then, other];
    return [other, then];
  };
  const stack: { b: Block; succ: Block[]; next: number }[] = [];
  const enter = (b: Block) => {
    seen.add(b);
    stack.push({ b, succ: visitOrder(b), next: 0 });
  };
  enter(f.entry);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.succ.length) {
      const s = top.succ[top.next++]!;
      if (!seen.has(s)) enter(s);
    } else {
      postorder.push(top.b);
      stack.pop();
    }
  }
  return postorder.reverse();
}

/** The strongly connected component of each block reachable from `entry` (Tarjan, iterative). */
function stronglyConnected(entry: Block): Map<Block, number> {
  const index = new Map<Block, number>();
  const low = new Map<Block, number>();
  const component = new Map<Block, number>();
  const onStack: Block[] = [];
  const frames: { b: Block; succ: Block[]; next: number }[] = [];
  let counter = 0;
  let components = 0;
  const open = (b: Block) => {
    index.set(b, counter);
    low.set(b, counter++);
    onStack.push(b);
    frames.push({ b, succ: successors(b), next: 0 });
  };
  open(entry);
  while (frames.length) {
    const top = frames[frames.length - 1]!;
    if (top.next < top.succ.length) {
      const s = top.succ[top.next++]!;
      if (!index.has(s)) open(s);
      else if (!component.has(s)) low.set(top.b, Math.min(low.get(top.b)!, index.get(s)!));
      continue;
    }
    frames.pop();
    const b = top.b;
    if (low.get(b) === index.get(b)) {
      let m: Block;
      do {
        m = onStack.pop()!;
        component.set(m, components);
      } while (m !== b);
      components++;
    }
    const parent = frames[frames.length - 1];
    if (parent) low.set(parent.b, Math.min(low.get(parent.b)!, low.get(b)!));
  }
  return component;
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
