// Encoding instructions to bytes and decoding bytes back. Little-endian
// only (EM_BPF objects on x86-64). `lddw` is one Instruction but two slots:
// the second slot carries the high 32 bits of the immediate.

import {
  type Instruction,
  SLOT_BYTES,
  isLdImm64,
  slotOffsets,
  toInt16,
  toInt32,
} from "./instruction.js";
import {
  CallSrc,
  InsnClass,
  JmpOp,
  OP_CALL,
  OP_GOTOL,
  OP_LDDW,
  insnClass,
  jmpOp,
} from "./opcodes.js";

export class EncodeError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = "EncodeError";
  }
}

export class DecodeError extends Error {
  constructor(
    message: string,
    readonly slot: number,
  ) {
    super(message);
    this.name = "DecodeError";
  }
}

/** Resolve jump and call labels in place, as slot-relative offsets. */
export function resolveLabels(insns: Instruction[]): void {
  const { offsets } = slotOffsets(insns);
  const labelSlot = new Map<string, number>();
  insns.forEach((insn, i) => {
    for (const label of insn.labels ?? []) {
      if (labelSlot.has(label)) throw new EncodeError(`label "${label}" defined twice`, i);
      labelSlot.set(label, offsets[i]!);
    }
  });
  insns.forEach((insn, i) => {
    if (insn.target === undefined) return;
    const to = labelSlot.get(insn.target);
    if (to === undefined) throw new EncodeError(`jump to undefined label "${insn.target}"`, i);
    const delta = to - (offsets[i]! + 1);
    const cls = insnClass(insn.opcode);
    if (insn.opcode === OP_GOTOL || (insn.opcode === OP_CALL && insn.src === CallSrc.LOCAL)) {
      insn.imm = delta;
    } else if (cls === InsnClass.JMP || cls === InsnClass.JMP32) {
      if (jmpOp(insn.opcode) === JmpOp.CALL) {
        insn.imm = delta;
        return;
      }
      if (delta < -0x8000 || delta > 0x7fff) {
        throw new EncodeError(`jump of ${delta} slots does not fit 16 bits; use gotol`, i);
      }
      insn.off = delta;
    } else {
      throw new EncodeError(`only jumps and calls take a target label`, i);
    }
  });
}

function writeSlot(
  view: DataView,
  at: number,
  opcode: number,
  regs: number,
  off: number,
  imm: number,
): void {
  view.setUint8(at, opcode);
  view.setUint8(at + 1, regs);
  view.setInt16(at + 2, toInt16(off), true);
  view.setInt32(at + 4, toInt32(imm), true);
}

/** Encode to bytes. Labels must be resolved (see resolveLabels) or absent. */
export function encode(insns: readonly Instruction[]): Uint8Array {
  const { total } = slotOffsets(insns);
  const bytes = new Uint8Array(total * SLOT_BYTES);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const insn of insns) {
    const regs = ((insn.src & 0xf) << 4) | (insn.dst & 0xf);
    if (isLdImm64(insn)) {
      const imm64 = insn.imm64 ?? BigInt.asUintN(32, BigInt(insn.imm));
      const lo = Number(BigInt.asIntN(32, imm64));
      const hiImm = Number(BigInt.asIntN(32, imm64 >> 32n));
      writeSlot(view, at, insn.opcode, regs, insn.off, lo);
      const hi = insn.hi ?? { opcode: 0, regs: 0, off: 0 };
      writeSlot(view, at + SLOT_BYTES, hi.opcode, hi.regs, hi.off, hiImm);
      at += 2 * SLOT_BYTES;
    } else {
      writeSlot(view, at, insn.opcode, regs, insn.off, insn.imm);
      at += SLOT_BYTES;
    }
  }
  return bytes;
}

/** Decode one raw slot, without looking at its neighbour. */
export function decodeSlot(view: DataView, at: number): Instruction {
  const regs = view.getUint8(at + 1);
  return {
    opcode: view.getUint8(at),
    dst: regs & 0xf,
    src: regs >> 4,
    off: view.getInt16(at + 2, true),
    imm: view.getInt32(at + 4, true),
  };
}

/**
 * Decode a whole section. Throws DecodeError when the length is not a
 * multiple of 8 or an `lddw` lacks its second slot; any other byte pattern
 * decodes (whether it means anything is for the verifier or VM to say).
 */
export function decode(bytes: Uint8Array): Instruction[] {
  if (bytes.length % SLOT_BYTES !== 0) {
    throw new DecodeError(`code size ${bytes.length} is not a multiple of 8`, bytes.length >> 3);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Instruction[] = [];
  for (let at = 0; at < bytes.length; at += SLOT_BYTES) {
    const insn = decodeSlot(view, at);
    if (insn.opcode === OP_LDDW) {
      if (at + SLOT_BYTES >= bytes.length) {
        throw new DecodeError("lddw at the end of the code has no second slot", at >> 3);
      }
      const hi = decodeSlot(view, at + SLOT_BYTES);
      insn.imm64 = (BigInt(hi.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
      if (hi.opcode !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) {
        insn.hi = { opcode: hi.opcode, regs: (hi.src << 4) | hi.dst, off: hi.off };
      }
      at += SLOT_BYTES;
    }
    out.push(insn);
  }
  return out;
}
