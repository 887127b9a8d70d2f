// A whole code section -> the block `llvm-objdump-19 -d [-r]
// [--no-show-raw-insn]` prints for it: the "Disassembly of section" line,
// `<symbol>:` headers, one line per instruction with its slot number (and raw
// bytes), `<prog+0x98>` jump notes, relocation lines, and objdump's quirks:
// runs of 8+ zero bytes print as `...`, and a trailing piece shorter than an
// instruction prints one `<unknown>` per byte.

import { type Instruction, OP_LDDW, SLOT_BYTES, decodeSlot, encode } from "../isa/index.js";
import { type FormatContext, formatInstruction } from "./format.js";
import { UNKNOWN, hex } from "./syntax.js";

/** A symbol of the section, at a byte offset from its start. */
export interface DisasmSymbol {
  name: string;
  offset: number;
}

/** A relocation in the section, printed under its instruction (objdump -r). */
export interface DisasmRelocation {
  offset: number;
  /** e.g. `R_BPF_64_64`, `R_BPF_64_32`. */
  type: string;
  symbol: string;
}

export interface DisassembleOptions extends Pick<FormatContext, "alu32" | "extended"> {
  sectionName?: string;
  symbols?: readonly DisasmSymbol[];
  /** When given (even empty), the output is that of `objdump -d -r`. */
  relocations?: readonly DisasmRelocation[];
  /** The raw-bytes column; false is `--no-show-raw-insn`. Default true. */
  rawBytes?: boolean;
}

/** The two lines objdump prints before the first section: `\nX.o:\tfile format elf64-bpf\n`. */
export function objdumpFileHeader(fileName: string): string {
  return `\n${fileName}:\tfile format elf64-bpf\n`;
}

/** Symbols sorted by offset; the section's own name stands at 0 when nothing else does. */
function sectionSymbols(opts: DisassembleOptions): DisasmSymbol[] {
  const seen = new Set<number>();
  const sorted = [...(opts.symbols ?? [])]
    .sort((a, b) => a.offset - b.offset)
    .filter((s) => !seen.has(s.offset) && seen.add(s.offset));
  if (!seen.has(0)) sorted.unshift({ name: opts.sectionName ?? "", offset: 0 });
  return sorted;
}

/** `prog`, `prog+0x98`: the nearest symbol at or before the offset. */
function symbolizer(symbols: readonly DisasmSymbol[]): (offset: number) => string | undefined {
  return (offset) => {
    let best: DisasmSymbol | undefined;
    for (const s of symbols) if (s.offset <= offset) best = s;
    if (!best) return undefined;
    return best.offset === offset ? best.name : `${best.name}+${hex(offset - best.offset)}`;
  };
}

/** objdump's countSkippableZeroBytes: 8 or more zeros are skipped, in steps of 4. */
function skippableZeros(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  while (from + n < to && bytes[from + n] === 0) n++;
  return n < 8 ? 0 : n & ~3;
}

function rawColumn(bytes: Uint8Array, from: number, length: number): string {
  return Array.from(bytes.subarray(from, from + length), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join(" ");
}

/** One decoded instruction and how many bytes objdump consumes for it. */
function decodeAt(
  bytes: Uint8Array,
  view: DataView,
  at: number,
): { insn?: Instruction; length: number } {
  if (bytes.length - at < SLOT_BYTES) return { length: 1 };
  const insn = decodeSlot(view, at);
  if (insn.opcode !== OP_LDDW) return { insn, length: SLOT_BYTES };
  // A valid lddw cut short by the section end is skipped byte by byte, as
  // LLVM does (a rejected one is an 8-byte <unknown>, see disassemble).
  if (bytes.length - at < 2 * SLOT_BYTES) {
    return formatInstruction(insn) === UNKNOWN ? { insn, length: SLOT_BYTES } : { length: 1 };
  }
  const hi = decodeSlot(view, at + SLOT_BYTES);
  insn.imm64 = (BigInt(hi.imm >>> 0) << 32n) | BigInt(insn.imm >>> 0);
  return { insn, length: 2 * SLOT_BYTES };
}

/**
 * Disassemble one section. Instruction lists are encoded first, so their
 * labels must already be resolved (see resolveLabels).
 */
export function disassemble(
  code: Uint8Array | readonly Instruction[],
  opts: DisassembleOptions = {},
): string {
  const bytes = code instanceof Uint8Array ? code : encode(code);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const symbols = sectionSymbols(opts);
  const symbolize = symbolizer(symbols);
  const relocs = [...(opts.relocations ?? [])].sort((a, b) => a.offset - b.offset);
  const raw = opts.rawBytes ?? true;
  const out = [`\nDisassembly of section ${opts.sectionName ?? ""}:\n`];
  let r = 0;
  symbols.forEach((sym, i) => {
    if (sym.offset >= bytes.length && !(bytes.length === 0 && sym.offset === 0)) return;
    const end = Math.min(symbols[i + 1]?.offset ?? bytes.length, bytes.length);
    out.push(`\n${sym.offset.toString(16).padStart(16, "0")} <${sym.name}>:\n`);
    let at = sym.offset;
    while (at < end) {
      while (r < relocs.length && relocs[r]!.offset < at) r++;
      const limit = opts.relocations && r < relocs.length ? relocs[r]!.offset : end;
      const zeros = skippableZeros(bytes, at, Math.min(limit, end));
      if (zeros > 0) {
        out.push("\t\t...\n");
        at += zeros;
        continue;
      }
      const decoded = decodeAt(bytes, view, at);
      const { insn } = decoded;
      const slot = Math.floor(at / SLOT_BYTES);
      const text = insn ? formatInstruction(insn, { ...opts, slot, symbolize }) : UNKNOWN;
      // LLVM rejects a bad lddw before reading its second slot: 8 bytes.
      const length =
        insn && text === UNKNOWN ? Math.min(decoded.length, SLOT_BYTES) : decoded.length;
      const column = raw ? `${rawColumn(bytes, at, length)}\t` : "";
      out.push(`${slot.toString().padStart(8)}:\t${column}${text}\n`);
      for (; r < relocs.length && relocs[r]!.offset < at + length; r++) {
        const rel = relocs[r]!;
        out.push(`\t\t${rel.offset.toString(16).padStart(16, "0")}:  ${rel.type}\t${rel.symbol}\n`);
      }
      at += length;
    }
  });
  return out.join("");
}
