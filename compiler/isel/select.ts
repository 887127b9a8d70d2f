// Stage: instruction selection. IR plus register assignment -> BPF
// instructions: 32-bit ALU/JMP forms where the IR width is 32 (the
// subregisters clang's alu32 uses), two-address ALU forms with the copy
// skipped when the allocator coalesced, byte swaps as `be16/be32`, calls
// with their arguments moved into r1-r5, fallthrough instead of jumps to the
// next block, and every instruction stamped with its TypeScript line.

import {
  Add64,
  And32,
  And64,
  Arsh32,
  Arsh64,
  Call,
  CallKfunc,
  CallSymbol,
  Div32,
  Div64,
  Exit,
  type Instruction,
  Ja,
  Jeq,
  Jeq32,
  Jge,
  Jge32,
  Jgt,
  Jgt32,
  Jle,
  Jle32,
  Jlt,
  Jlt32,
  Jne,
  Jne32,
  Jset,
  Jset32,
  Jsge,
  Jsge32,
  Jsgt,
  Jsgt32,
  Jsle,
  Jsle32,
  Jslt,
  Jslt32,
  LoadMem,
  Lsh32,
  Lsh64,
  Mod32,
  Mod64,
  Mov32,
  Mov64,
  MovSx32,
  MovSx64,
  Mul32,
  Mul64,
  Neg32,
  Neg64,
  Or32,
  Or64,
  Reg,
  Rsh32,
  Rsh64,
  SDiv32,
  SDiv64,
  SMod32,
  SMod64,
  StoreImm,
  StoreMem,
  Sub32,
  Sub64,
  ToBe,
  Xor32,
  Xor64,
  Add32,
  type SourcePos,
  type AluBuilder,
  type JumpBuilder,
} from "../../bpf/isa/index.js";
import type {
  AluKind,
  Block,
  CondKind,
  IrFunction,
  IrInsn,
  Operand,
  Terminator,
} from "../ir/ir.js";
import { invertCond } from "../ir/ir.js";
import type { Allocation } from "../regalloc/linear-scan.js";
import { movImm, parallelMove, type MoveSrc } from "./moves.js";
import { selectMemoryOp } from "./select-maps.js";

const ALU: Record<AluKind, [AluBuilder, AluBuilder]> = {
  add: [Add32, Add64],
  sub: [Sub32, Sub64],
  mul: [Mul32, Mul64],
  udiv: [Div32, Div64],
  sdiv: [SDiv32, SDiv64],
  umod: [Mod32, Mod64],
  smod: [SMod32, SMod64],
  or: [Or32, Or64],
  and: [And32, And64],
  xor: [Xor32, Xor64],
  shl: [Lsh32, Lsh64],
  lshr: [Rsh32, Rsh64],
  ashr: [Arsh32, Arsh64],
};

const JMP: Record<CondKind, [JumpBuilder, JumpBuilder]> = {
  eq: [Jeq32, Jeq],
  ne: [Jne32, Jne],
  ugt: [Jgt32, Jgt],
  uge: [Jge32, Jge],
  ult: [Jlt32, Jlt],
  ule: [Jle32, Jle],
  sgt: [Jsgt32, Jsgt],
  sge: [Jsge32, Jsge],
  slt: [Jslt32, Jslt],
  sle: [Jsle32, Jsle],
  set: [Jset32, Jset],
};

const COMMUTATIVE = new Set<AluKind>(["add", "mul", "and", "or", "xor"]);
const DIVISIONS = new Set<AluKind>(["udiv", "sdiv", "umod", "smod"]);

function powerOfTwo(v: bigint): number | undefined {
  if (v <= 0n || (v & (v - 1n)) !== 0n) return undefined;
  return v.toString(2).length - 1;
}

export interface Selected {
  insns: Instruction[];
  frameSize: number;
}

export function selectInstructions(f: IrFunction, alloc: Allocation, order: Block[]): Selected {
  const out: Instruction[] = [];
  let frame = alloc.frameSize;
  // A parallel move parks a register of a cycle in a slot below the frame and reads it
  // back before it ends, so every move reuses the same slots (from the first on).
  let parked = 0;
  const scratch = () => {
    parked += 8;
    frame = Math.max(frame, alloc.frameSize + parked);
    return -(alloc.frameSize + parked);
  };
  const moves = (m: Parameters<typeof parallelMove>[0]) => {
    parked = 0;
    return parallelMove(m, scratch);
  };
  const R = (v: number): number => {
    const r = alloc.regOf.get(v);
    if (r === undefined) throw new Error(`vreg ${v} has no register`);
    return r;
  };
  const label = (b: Block) => `${f.name}.b${b.id}`;
  let pos: SourcePos | undefined;
  const push = (...xs: Instruction[]) => {
    for (const x of xs) {
      if (pos && !x.source) x.source = pos;
      pos = undefined;
      out.push(x);
    }
  };
  const src = (o: Operand, w: 32 | 64): MoveSrc =>
    o.kind === "reg" ? { reg: R(o.reg) } : { imm: o.value, w };

  // Entry: parameters from r1..r5 to their registers.
  pos = f.source;
  push(
    ...moves(
      f.params.flatMap((p, k) => (alloc.regOf.has(p) ? [{ dst: R(p), src: { reg: k + 1 } }] : [])),
    ),
  );

  const insn = (i: IrInsn) => {
    pos = i.source;
    switch (i.op) {
      case "mov": {
        const d = R(i.dst);
        if (i.src.kind === "imm") return push(movImm(d, i.src.value, i.w));
        const s = R(i.src.reg);
        if (s === d && !i.zext) return;
        return push(i.w === 32 ? Mov32.reg(d, s) : Mov64.reg(d, s));
      }
      case "alu": {
        const [a32, a64] = ALU[i.alu];
        const op = i.w === 32 ? a32 : a64;
        const mov = i.w === 32 ? Mov32 : Mov64;
        const d = R(i.dst);
        const a = R(i.a);
        const bImm = (v: bigint) => Number(BigInt.asIntN(32, v));
        if (i.b.kind === "imm") {
          // The verifier refuses a division by an immediate 0 ("div by
          // zero"), so emit BPF's defined result instead: x / 0 = 0 and
          // x % 0 = x (zero-extended at 32 bits, like every 32-bit op).
          if (DIVISIONS.has(i.alu) && bImm(i.b.value) === 0) {
            if (i.alu === "udiv" || i.alu === "sdiv") return push(movImm(d, 0n, i.w));
            return push(mov.reg(d, a));
          }
          if (d !== a) push(mov.reg(d, a));
          // A multiply by a power of two is a shift (`i * 4` indexing): one
          // cycle in the JIT's code instead of an imul's three.
          const k = powerOfTwo(BigInt.asUintN(i.w, i.b.value));
          if (i.alu === "mul" && k !== undefined)
            return push((i.w === 32 ? Lsh32 : Lsh64).imm(d, k));
          return push(op.imm(d, bImm(i.b.value)));
        }
        const b = R(i.b.reg);
        if (d === a) return push(op.reg(d, b));
        if (d === b) {
          if (COMMUTATIVE.has(i.alu)) return push(op.reg(d, a));
          throw new Error(`two-address conflict in ${i.alu}`);
        }
        return push(mov.reg(d, a), op.reg(d, b));
      }
      case "neg": {
        const d = R(i.dst);
        const a = R(i.a);
        if (d !== a) push((i.w === 32 ? Mov32 : Mov64).reg(d, a));
        return push(i.w === 32 ? Neg32(d) : Neg64(d));
      }
      case "movsx":
        return push(
          i.w === 32
            ? MovSx32(R(i.dst), R(i.src), i.bits as 8 | 16)
            : MovSx64(R(i.dst), R(i.src), i.bits),
        );
      case "swap": {
        const d = R(i.dst);
        const s = R(i.src);
        if (d !== s) push(Mov64.reg(d, s));
        return push(ToBe(d, i.bits));
      }
      case "load":
        return push(LoadMem(i.size, R(i.dst), R(i.base), i.off));
      case "store":
        if (i.src.kind === "imm")
          return push(StoreImm(i.size, R(i.base), i.off, Number(BigInt.asIntN(32, i.src.value))));
        return push(StoreMem(i.size, R(i.base), i.off, R(i.src.reg)));
      case "frame":
        return push(Mov64.reg(R(i.dst), Reg.R10), Add64.imm(R(i.dst), i.off));
      case "reload":
        return push(LoadMem(8, R(i.dst), Reg.R10, i.off));
      case "spill":
        return push(StoreMem(8, Reg.R10, i.off, R(i.src)));
      case "ldaddr":
      case "atomic":
        return push(...selectMemoryOp(i, R));
      case "call":
      case "calllocal":
      case "callkfunc": {
        push(...moves(i.args.map((a, k) => ({ dst: k + 1, src: src(a, 64) }))));
        push(
          i.op === "call"
            ? Call(i.helper)
            : i.op === "callkfunc"
              ? CallKfunc(i.fn)
              : CallSymbol(i.fn),
        );
        if (i.dst !== undefined && alloc.regOf.has(i.dst) && R(i.dst) !== 0)
          push(Mov64.reg(R(i.dst), Reg.R0));
        return;
      }
    }
  };

  const term = (t: Terminator, next: Block | undefined) => {
    pos = t.source ?? pos;
    switch (t.op) {
      case "ret":
        if (t.value.kind === "imm")
          push(movImm(0, t.value.value, BigInt.asUintN(64, t.value.value) < 1n << 32n ? 32 : 64));
        else if (R(t.value.reg) !== 0) push(Mov64.reg(0, R(t.value.reg)));
        return push(Exit());
      case "jmp":
        if (t.target !== next) push(Ja(label(t.target)));
        return;
      case "br": {
        let cond = t.cond;
        let then = t.then;
        let other = t.else;
        if (then === next) {
          const inv = invertCond(cond);
          if (inv) [cond, then, other] = [inv, other, then];
        }
        const [j32, j64] = JMP[cond];
        const j = t.w === 32 ? j32 : j64;
        const a = R(t.a);
        push(
          t.b.kind === "imm"
            ? j.imm(a, Number(BigInt.asIntN(32, t.b.value)), label(then))
            : j.reg(a, R(t.b.reg), label(then)),
        );
        if (other !== next) push(Ja(label(other)));
        return;
      }
    }
  };

  const pendingLabels: string[] = [];
  order.forEach((b, k) => {
    const first = out.length;
    for (const i of b.insns) insn(i);
    term(b.term, order[k + 1]);
    // The block's label goes on its first instruction (every block emits at least one
    // unless it falls through; then the label moves to the next emitted one).
    pendingLabels.push(label(b));
    if (out.length > first) {
      (out[first]!.labels ??= []).push(...pendingLabels.splice(0));
    }
  });
  return { insns: out, frameSize: frame };
}
