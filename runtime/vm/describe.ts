// A minimal one-line rendering of an instruction for fault messages.
// TODO: use `formatInstruction` from bpf/disasm (llvm-objdump syntax) once
// it lands; until then faults show the raw fields.

import type { Program } from "./program.js";

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** The instruction at `slot` as raw fields, e.g. `07 r1 r0 off=0 imm=1`. */
export function describeSlot(p: Program, slot: number): string {
  if (slot < 0 || slot >= p.n) return "<past the end of the code>";
  const at = slot * 8;
  const view = new DataView(p.raw.buffer, p.raw.byteOffset, p.raw.byteLength);
  const op = view.getUint8(at);
  const regs = view.getUint8(at + 1);
  const off = view.getInt16(at + 2, true);
  const imm = view.getInt32(at + 4, true);
  let text = `opcode=0x${hex(op, 2)} dst=r${regs & 0xf} src=r${regs >> 4} off=${off} imm=${imm}`;
  if (op === 0x18 && slot + 1 < p.n) text += ` imm_hi=${view.getInt32(at + 12, true)}`;
  return text;
}
