// Pre-decoding: turns instruction bytes into the flat typed arrays the
// interpreter reads, once per VM, and decides here (not in the hot loop)
// which instructions are invalid. An invalid instruction, the second slot of
// an lddw, a jump whose target is outside the code and the slot past the end
// all become opcode 0 (not an eBPF opcode) with a reason, so the loop's
// default case reports them when, and only when, they are reached.
//
// Per slot, 4 words in `ins`:
//   [0] opcode | dst << 8 | src << 12 | dispatch << 16
//   [1] jumps and local calls: the absolute target slot; otherwise off
//   [2] imm (low half for lddw)
//   [3] lddw: the second slot's imm
// and in `k64` the immediate as the 64-bit value ALU/JMP use (imm
// sign-extended, or lddw's imm64). `dispatch` is what the interpreter's
// switch runs: the opcode, or a superinstruction (fuse(): FUSED | the jump's
// opcode) for "add an immediate to rX, then a conditional jump on rX against
// an immediate", the step and test of nearly every counted loop; and
// ADD_THEN_FUSED | the jump's opcode for a 64-bit `rD += rS` just before such
// a pair (an accumulation in the loop body). Only the first slot of a fused
// run changes: the slots after it keep their own dispatch, so code jumping
// into the middle runs the rest unfused. Fused slots cannot fault; counting
// and the budget see the slots they span (interpreter.ts). Everything else
// reads the opcode (w & 255) and never sees the fusion.

import {
  AluOp,
  AtomicOp,
  CallSrc,
  InsnClass,
  JmpOp,
  LdImm64Src,
  Mode,
  OP_CALL,
  OP_CALLX,
  OP_EXIT,
  OP_GOTOL,
  OP_LDDW,
  Reg,
  SIGNED_DIVMOD_OFF,
  Size,
  Source,
  aluOp,
  encode,
  insnClass,
  jmpOp,
  mode,
  size,
  source,
  type Instruction,
} from "../../bpf/isa/index.js";

// Plain-object copies of the enums and accessors: decoding runs per VM,
// and module bindings compiled by tsx/vitest are getters on every access.
const AluOp_ = { ...AluOp };
const AtomicOp_ = { ...AtomicOp };
const CallSrc_ = { ...CallSrc };
const InsnClass_ = { ...InsnClass };
const JmpOp_ = { ...JmpOp };
const LdImm64Src_ = { ...LdImm64Src };
const Mode_ = { ...Mode };
const Reg_ = { ...Reg };
const Size_ = { ...Size };
const Source_ = { ...Source };
const ops = { insnClass, aluOp, jmpOp, mode, size, source };
const {
  OP_CALL: CALL,
  OP_CALLX: CALLX,
  OP_EXIT: EXIT,
  OP_GOTOL: GOTOL,
  OP_LDDW: LDDW,
} = {
  OP_CALL,
  OP_CALLX,
  OP_EXIT,
  OP_GOTOL,
  OP_LDDW,
};

export interface Program {
  /** Number of slots. */
  readonly n: number;
  readonly ins: Int32Array;
  readonly k64: BigUint64Array;
  /** The same immediates, signed. */
  readonly k64s: BigInt64Array;
  /** The same immediates as 32-bit halves (low, high), read without BigInt. */
  readonly k32: Int32Array;
  /** The original bytes (for disassembly in faults). */
  readonly raw: Uint8Array;
  /** Why a slot was made opcode 0. */
  readonly reasons: Map<number, string>;
  /** Set when the code cannot be loaded at all. */
  readonly loadError?: string;
}

const ATOMIC_OPS = new Set<number>([
  AtomicOp_.ADD,
  AtomicOp_.OR,
  AtomicOp_.AND,
  AtomicOp_.XOR,
  AtomicOp_.FETCH_ADD,
  AtomicOp_.FETCH_OR,
  AtomicOp_.FETCH_AND,
  AtomicOp_.FETCH_XOR,
  AtomicOp_.XCHG,
  AtomicOp_.CMPXCHG,
  AtomicOp_.LOAD_ACQ,
  AtomicOp_.STORE_REL,
]);

/** Why the instruction is invalid, or undefined when the ISA defines it. */
export function invalidReason(op: number, dst: number, src: number, off: number, imm: number) {
  const cls = ops.insnClass(op);
  if (dst > Reg_.R10) return `no register r${dst}`;
  const srcIsReg =
    cls === InsnClass_.LDX ||
    cls === InsnClass_.STX ||
    ((cls === InsnClass_.ALU || cls === InsnClass_.ALU64 || cls === InsnClass_.JMP32) &&
      ops.source(op) === Source_.X) ||
    (cls === InsnClass_.JMP && ops.source(op) === Source_.X && op !== CALLX) ||
    (cls === InsnClass_.LD && ops.mode(op) === Mode_.IND);
  if (srcIsReg && src > Reg_.R10) return `no register r${src}`;
  const writesDst = cls === InsnClass_.ALU || cls === InsnClass_.ALU64 || cls === InsnClass_.LDX;
  if ((writesDst || op === LDDW) && dst === Reg_.R10) return "r10 is read-only";
  switch (cls) {
    case InsnClass_.ALU:
    case InsnClass_.ALU64: {
      const a = ops.aluOp(op);
      if (a > AluOp_.END) return "unknown ALU operation";
      if (a === AluOp_.END) {
        if (cls === InsnClass_.ALU64 && ops.source(op) === Source_.X) return "unknown byte swap";
        return imm === 16 || imm === 32 || imm === 64 ? undefined : `byte swap of ${imm} bits`;
      }
      if (a === AluOp_.NEG && ops.source(op) === Source_.X) return "neg with a register source";
      if (a === AluOp_.MOV && off !== 0) {
        const widths = cls === InsnClass_.ALU64 ? [8, 16, 32] : [8, 16];
        if (ops.source(op) !== Source_.X || !widths.includes(off)) return `mov with offset ${off}`;
      }
      if ((a === AluOp_.DIV || a === AluOp_.MOD) && off !== 0 && off !== SIGNED_DIVMOD_OFF) {
        return `division with offset ${off}`;
      }
      return undefined;
    }
    case InsnClass_.JMP:
    case InsnClass_.JMP32: {
      const j = ops.jmpOp(op);
      if (j === JmpOp_.CALL) {
        if (op === CALL) {
          return src <= CallSrc_.KFUNC ? undefined : `call with src ${src}`;
        }
        return op === CALLX ? undefined : "call in class jmp32";
      }
      if (j === JmpOp_.EXIT) return op === EXIT ? undefined : "exit in class jmp32";
      if (j === JmpOp_.JCOND) {
        return cls === InsnClass_.JMP && ops.source(op) === Source_.K && src === 0
          ? undefined
          : "unknown conditional pseudo-jump";
      }
      if (j === JmpOp_.JA && ops.source(op) === Source_.X) return "ja with register source";
      return j > JmpOp_.JCOND ? "unknown jump" : undefined;
    }
    case InsnClass_.LD:
      if (op === LDDW) return src <= LdImm64Src_.MAP_IDX_VALUE ? undefined : `lddw src ${src}`;
      if ((ops.mode(op) === Mode_.ABS || ops.mode(op) === Mode_.IND) && ops.size(op) !== Size_.DW) {
        return undefined;
      }
      return "unknown load";
    case InsnClass_.LDX:
      if (ops.mode(op) === Mode_.MEM) return undefined;
      return ops.mode(op) === Mode_.MEMSX && ops.size(op) !== Size_.DW ? undefined : "unknown load";
    case InsnClass_.ST:
      return ops.mode(op) === Mode_.MEM ? undefined : "unknown store";
    case InsnClass_.STX:
      if (ops.mode(op) === Mode_.MEM) return undefined;
      if (ops.mode(op) !== Mode_.ATOMIC || !ATOMIC_OPS.has(imm)) return "unknown store";
      if (ops.size(op) === Size_.W || ops.size(op) === Size_.DW) return undefined;
      return imm === AtomicOp_.LOAD_ACQ || imm === AtomicOp_.STORE_REL
        ? undefined
        : "atomic of 1 or 2 bytes";
  }
  return "unknown instruction class";
}

function isJump(op: number): boolean {
  const cls = ops.insnClass(op);
  if (cls !== InsnClass_.JMP && cls !== InsnClass_.JMP32) return false;
  const j = ops.jmpOp(op);
  return j !== JmpOp_.CALL && j !== JmpOp_.EXIT;
}

function empty(raw: Uint8Array, loadError: string): Program {
  const ins = new Int32Array(4);
  const k64 = new BigUint64Array(1);
  const reasons = new Map<number, string>([[0, loadError]]);
  const k64s = new BigInt64Array(k64.buffer);
  return { n: 0, ins, k64, k64s, k32: new Int32Array(k64.buffer), raw, reasons, loadError };
}

/** Pre-decode code bytes or instructions; never throws. */
export function predecode(code: Uint8Array | readonly Instruction[]): Program {
  let raw: Uint8Array;
  try {
    raw = code instanceof Uint8Array ? code : encode(code);
  } catch (e) {
    return empty(new Uint8Array(0), `cannot encode instructions: ${(e as Error).message}`);
  }
  if (raw.length % 8 !== 0) {
    return empty(raw, `code size ${raw.length} is not a multiple of 8`);
  }
  const n = raw.length / 8;
  // The interpreter masks slot numbers to 28 bits (interpreter.ts run).
  if (n >= MAX_SLOTS) return empty(raw, `code of ${n} slots is over the limit of ${MAX_SLOTS - 1}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  // One extra slot past the end: falling off the code lands there.
  const ins = new Int32Array((n + 1) * 4);
  const k64 = new BigUint64Array(n + 1);
  const reasons = new Map<number, string>();
  const bad = (slot: number, why: string) => {
    ins[slot * 4] = 0;
    reasons.set(slot, why);
  };
  const lddwTail = new Set<number>();
  for (let i = 0; i < n; i++) {
    const at = i * 8;
    const op = view.getUint8(at);
    const regs = view.getUint8(at + 1);
    const dst = regs & 0xf;
    const src = regs >> 4;
    const off = view.getInt16(at + 2, true);
    const imm = view.getInt32(at + 4, true);
    const b = i * 4;
    ins[b] = op | (dst << 8) | (src << 12) | (op << 16);
    ins[b + 1] = off;
    ins[b + 2] = imm;
    k64[i] = BigInt.asUintN(64, BigInt(imm));
    const why = invalidReason(op, dst, src, off, imm);
    if (why !== undefined) {
      bad(i, why);
      if (op === LDDW && i + 1 < n) bad(++i, "second slot of an invalid lddw");
      continue;
    }
    if (op === LDDW) {
      if (i + 1 >= n) {
        bad(i, "lddw at the end of the code has no second slot");
        continue;
      }
      const hi = view.getInt32(at + 12, true);
      ins[b + 3] = hi;
      k64[i] = (BigInt(hi >>> 0) << 32n) | BigInt(imm >>> 0);
      lddwTail.add(i + 1);
      bad(i + 1, "jump into the middle of lddw");
      i++;
      continue;
    }
    if (isJump(op) || (op === CALL && src === CallSrc_.LOCAL)) {
      const delta = op === GOTOL || op === CALL ? imm : off;
      ins[b + 1] = i + 1 + delta;
    }
  }
  // Targets are checked once all slots are known.
  for (let i = 0; i < n; i++) {
    const op = ins[i * 4]! & 0xff;
    if (
      op === 0 ||
      !(isJump(op) || (op === CALL && ((ins[i * 4]! >> 12) & 15) === CallSrc_.LOCAL))
    ) {
      continue;
    }
    const t = ins[i * 4 + 1]!;
    if (t < 0 || t >= n) bad(i, `jump target ${t} is outside the code (0..${n - 1})`);
    else if (lddwTail.has(t)) bad(i, `jump target ${t} is the middle of an lddw`);
  }
  bad(n, "execution fell off the end of the code");
  fuse(ins, n);
  const k64s = new BigInt64Array(k64.buffer);
  return { n, ins, k64, k64s, k32: new Int32Array(k64.buffer), raw, reasons };
}

/** Where the code's words start in Vm.cells: after the 16 registers' 32 halves. */
export const CELLS_CODE = 32;

/** Slots a program may have: slot numbers fit in 28 bits. */
export const MAX_SLOTS = 1 << 28;

/** The dispatch code of a fused add-immediate + conditional jump: FUSED | the jump's opcode. */
export const FUSED = 0x100;

/**
 * Jumps with an immediate that fuse with the add before them: 64-bit
 * (JMP class) after ALU64 add, 32-bit (JMP32) after ALU add; the equality
 * and unsigned orders, what loop bounds compile to.
 */
const FUSABLE_JUMPS = new Map<number, ReadonlySet<number>>([
  [0x07, new Set([0x15, 0x55, 0x25, 0x35, 0xa5, 0xb5])],
  [0x04, new Set([0x16, 0x56, 0x26, 0x36, 0xa6, 0xb6])],
]);

function fuse(ins: Int32Array, n: number): void {
  for (let i = 0; i + 1 < n; i++) {
    const w = ins[i * 4]!;
    const next = ins[(i + 1) * 4]!;
    if (!FUSABLE_JUMPS.get(w & 255)?.has(next & 255)) continue;
    if (((w >> 8) & 15) !== ((next >> 8) & 15)) continue;
    ins[i * 4] = (w & 0xffff) | ((FUSED | (next & 255)) << 16);
  }
  for (let i = 0; i + 1 < n; i++) {
    const w = ins[i * 4]!;
    const pair = ins[(i + 1) * 4]! >>> 16;
    if (w >>> 16 !== 0x0f || (pair & 0xf00) !== FUSED) continue;
    ins[i * 4] = (w & 0xffff) | ((ADD_THEN_FUSED | (pair & 255)) << 16);
  }
}

/**
 * The dispatch code of a 64-bit register add (`rD += rS`, the accumulation
 * in a loop body) followed by a fused pair: ADD_THEN_FUSED | the pair's jump
 * opcode. Three slots, one dispatch.
 */
export const ADD_THEN_FUSED = 0x200;

/** The opcode byte a slot had in the original code. */
export function rawOpcode(p: Program, slot: number): number {
  return slot < p.n ? p.raw[slot * 8]! : 0;
}
