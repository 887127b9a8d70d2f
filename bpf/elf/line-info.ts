// Builds `.BTF.ext` line_info records from `Instruction.source`, following
// the rules libbpf, the verifier and bpftool rely on (OBJECT-FORMAT.md):
// one record whenever the position changes, always one at instruction 0 of
// every function, offsets strictly increasing, and never on the second
// slot of an `lddw` (records only ever sit on instruction starts here).

import type { LineInfoRecord } from "../btf/ext.js";
import { type Instruction, type SourcePos, SLOT_BYTES, slotOffsets } from "../isa/index.js";

/** The largest column a line_info record can hold (10 bits). */
const MAX_LINE_INFO_COLUMN = (1 << 10) - 1;

export interface PlacedFunction {
  /** Byte offset of the function in its section. */
  offset: number;
  insns: readonly Instruction[];
}

/** True when any instruction of any function carries a source position. */
export function hasSource(fns: readonly PlacedFunction[]): boolean {
  return fns.some((f) => f.insns.some((i) => i.source !== undefined));
}

/**
 * Line records for the functions of one section, in offset order. A
 * function whose first instruction has no position borrows its first
 * known one; a function with none at all gets line 0 of `fallbackFile`.
 */
export function lineRecords(
  fns: readonly PlacedFunction[],
  fallbackFile: string,
): LineInfoRecord[] {
  const out: LineInfoRecord[] = [];
  for (const fn of [...fns].sort((a, b) => a.offset - b.offset)) {
    const { offsets } = slotOffsets(fn.insns);
    let last: SourcePos | undefined =
      fn.insns.find((i) => i.source)?.source ??
      ({ file: fallbackFile, line: 0, column: 0, text: "" } satisfies SourcePos);
    fn.insns.forEach((insn, i) => {
      const pos = insn.source ?? (i === 0 ? last : undefined);
      if (!pos) return;
      if (i > 0 && last && samePos(pos, last)) return;
      last = pos;
      out.push({
        insnOff: fn.offset + offsets[i]! * SLOT_BYTES,
        fileName: pos.file,
        line: pos.text,
        lineNum: pos.line,
        // line_info keeps the column in 10 bits; a longer line points at its
        // last representable column rather than failing the whole object.
        column: Math.min(pos.column, MAX_LINE_INFO_COLUMN),
      });
    });
  }
  return out;
}

function samePos(a: SourcePos, b: SourcePos): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column && a.text === b.text;
}
