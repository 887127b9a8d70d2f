// Pre-decoding: turns instruction bytes into the flat typed arrays the
// interpreter reads, once per VM, and decides here (not in the hot loop)
// which instructions are invalid. An invalid instruction, the second slot of
// an lddw, a jump whose target is outside the code and the slot past the end
// all become opcode 0 (not an eBPF opcode) with a reason, so the loop's
// default case reports them when, and only when, they are reached.
//
// Per slot, 4 words in `ins`:
//   [0] opcode | dst << 8 | src << 12
//   [1] jumps and local calls: the absolute target slot; otherwise off
//   [2] imm (low half for lddw)
//   [3] lddw: the second slot's imm
// and in `k64` the immediate as the 64-bit value ALU/JMP use (imm
// sign-extended, or lddw's imm64).

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

export interface Program {
  /** Number of slots. */
  readonly n: number;
  readonly ins: Int32Array;
  readonly k64: BigUint64Array;
  /** The same immediates, signed. */
  readonly k64s: BigInt64Array;
  /** The original bytes (for disassembly in faults). */
  readonly raw: Uint8Array;
  /** Why a slot was made opcode 0. */
  readonly reasons: Map<number, string>;
  /** Set when the code cannot be loaded at all. */
  readonly loadError?: string;
}

const ATOMIC_OPS = new Set<number>([
  AtomicOp.ADD,
  AtomicOp.OR,
  AtomicOp.AND,
  AtomicOp.XOR,
  AtomicOp.FETCH_ADD,
  AtomicOp.FETCH_OR,
  AtomicOp.FETCH_AND,
  AtomicOp.FETCH_XOR,
  AtomicOp.XCHG,
  AtomicOp.CMPXCHG,
  AtomicOp.LOAD_ACQ,
  AtomicOp.STORE_REL,
]);

/** Why the instruction is invalid, or undefined when the ISA defines it. */
export function invalidReason(op: number, dst: number, src: number, off: number, imm: number) {
  const cls = insnClass(op);
  if (dst > Reg.R10) return `no register r${dst}`;
  const srcIsReg =
    cls === InsnClass.LDX ||
    cls === InsnClass.STX ||
    ((cls === InsnClass.ALU || cls === InsnClass.ALU64 || cls === InsnClass.JMP32) &&
      source(op) === Source.X) ||
    (cls === InsnClass.JMP && source(op) === Source.X && op !== OP_CALLX) ||
    (cls === InsnClass.LD && mode(op) === Mode.IND);
  if (srcIsReg && src > Reg.R10) return `no register r${src}`;
  const writesDst = cls === InsnClass.ALU || cls === InsnClass.ALU64 || cls === InsnClass.LDX;
  if ((writesDst || op === OP_LDDW) && dst === Reg.R10) return "r10 is read-only";
  switch (cls) {
    case InsnClass.ALU:
    case InsnClass.ALU64: {
      const a = aluOp(op);
      if (a > AluOp.END) return "unknown ALU operation";
      if (a === AluOp.END) {
        if (cls === InsnClass.ALU64 && source(op) === Source.X) return "unknown byte swap";
        return imm === 16 || imm === 32 || imm === 64 ? undefined : `byte swap of ${imm} bits`;
      }
      if (a === AluOp.MOV && off !== 0) {
        const widths = cls === InsnClass.ALU64 ? [8, 16, 32] : [8, 16];
        if (source(op) !== Source.X || !widths.includes(off)) return `mov with offset ${off}`;
      }
      if ((a === AluOp.DIV || a === AluOp.MOD) && off !== 0 && off !== SIGNED_DIVMOD_OFF) {
        return `division with offset ${off}`;
      }
      return undefined;
    }
    case InsnClass.JMP:
    case InsnClass.JMP32: {
      const j = jmpOp(op);
      if (j === JmpOp.CALL) {
        if (op === OP_CALL) {
          return src <= CallSrc.KFUNC ? undefined : `call with src ${src}`;
        }
        return op === OP_CALLX ? undefined : "call in class jmp32";
      }
      if (j === JmpOp.EXIT) return op === OP_EXIT ? undefined : "exit in class jmp32";
      if (j === JmpOp.JCOND) {
        return cls === InsnClass.JMP && source(op) === Source.K && src === 0
          ? undefined
          : "unknown conditional pseudo-jump";
      }
      if (j === JmpOp.JA && source(op) === Source.X) return "ja with register source";
      return j > JmpOp.JCOND ? "unknown jump" : undefined;
    }
    case InsnClass.LD:
      if (op === OP_LDDW) return src <= LdImm64Src.MAP_IDX_VALUE ? undefined : `lddw src ${src}`;
      if ((mode(op) === Mode.ABS || mode(op) === Mode.IND) && size(op) !== Size.DW) {
        return undefined;
      }
      return "unknown load";
    case InsnClass.LDX:
      if (mode(op) === Mode.MEM) return undefined;
      return mode(op) === Mode.MEMSX && size(op) !== Size.DW ? undefined : "unknown load";
    case InsnClass.ST:
      return mode(op) === Mode.MEM ? undefined : "unknown store";
    case InsnClass.STX:
      if (mode(op) === Mode.MEM) return undefined;
      if (mode(op) !== Mode.ATOMIC || !ATOMIC_OPS.has(imm)) return "unknown store";
      if (size(op) === Size.W || size(op) === Size.DW) return undefined;
      return imm === AtomicOp.LOAD_ACQ || imm === AtomicOp.STORE_REL
        ? undefined
        : "atomic of 1 or 2 bytes";
  }
  return "unknown instruction class";
}

function isJump(op: number): boolean {
  const cls = insnClass(op);
  if (cls !== InsnClass.JMP && cls !== InsnClass.JMP32) return false;
  const j = jmpOp(op);
  return j !== JmpOp.CALL && j !== JmpOp.EXIT;
}

function empty(raw: Uint8Array, loadError: string): Program {
  const ins = new Int32Array(4);
  const k64 = new BigUint64Array(1);
  const reasons = new Map([[0, loadError]]);
  return { n: 0, ins, k64, k64s: new BigInt64Array(k64.buffer), raw, reasons, loadError };
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
    ins[b] = op | (dst << 8) | (src << 12);
    ins[b + 1] = off;
    ins[b + 2] = imm;
    k64[i] = BigInt.asUintN(64, BigInt(imm));
    const why = invalidReason(op, dst, src, off, imm);
    if (why !== undefined) {
      bad(i, why);
      if (op === OP_LDDW && i + 1 < n) bad(++i, "second slot of an invalid lddw");
      continue;
    }
    if (op === OP_LDDW) {
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
    if (isJump(op) || (op === OP_CALL && src === CallSrc.LOCAL)) {
      const delta = op === OP_GOTOL || op === OP_CALL ? imm : off;
      ins[b + 1] = i + 1 + delta;
    }
  }
  // Targets are checked once all slots are known.
  for (let i = 0; i < n; i++) {
    const op = ins[i * 4]! & 0xff;
    if (op === 0 || !(isJump(op) || (op === OP_CALL && ins[i * 4]! >> 12 === CallSrc.LOCAL))) {
      continue;
    }
    const t = ins[i * 4 + 1]!;
    if (t < 0 || t >= n) bad(i, `jump target ${t} is outside the code (0..${n - 1})`);
    else if (lddwTail.has(t)) bad(i, `jump target ${t} is the middle of an lddw`);
  }
  bad(n, "execution fell off the end of the code");
  return { n, ins, k64, k64s: new BigInt64Array(k64.buffer), raw, reasons };
}

/** The opcode byte a slot had in the original code. */
export function rawOpcode(p: Program, slot: number): number {
  return slot < p.n ? p.raw[slot * 8]! : 0;
}
