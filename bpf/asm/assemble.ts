// Text -> instructions and bytes. Reads plain assembly (one instruction per
// line, `name:` labels, `goto name` or `goto +0x3`) and whole llvm-objdump
// listings: the file and section lines, `<sym>:` headers (which become
// labels), the slot and raw-byte columns, `<prog+0x98>` notes, `...` zero
// runs and `-r` relocation lines. `<unknown>` lines are taken from their raw
// bytes. Every problem is an AsmError with line and column.

import {
  CallSrc,
  EncodeError,
  type Instruction,
  SLOT_BYTES,
  decodeSlot,
  encode,
  resolveLabels,
  slotCount,
} from "../isa/index.js";
import type { DisasmRelocation, DisasmSymbol } from "../disasm/index.js";
import { UNKNOWN } from "../disasm/syntax.js";
import { Cursor } from "./cursor.js";
import { AsmError } from "./errors.js";
import { tokenize } from "./lexer.js";
import { parseStatement } from "./parse-insn.js";

export interface AssembleResult {
  instructions: Instruction[];
  bytes: Uint8Array;
  /** `<sym>:` headers and `name:` labels, at byte offsets. */
  symbols: DisasmSymbol[];
  /** `-r` lines, as printed. */
  relocations: DisasmRelocation[];
}

export interface AsmSection extends AssembleResult {
  name: string;
}

interface Pending {
  name: string;
  insns: Instruction[];
  lines: number[];
  bareCalls: Set<Instruction>;
  labels: string[];
  symbols: DisasmSymbol[];
  relocations: DisasmRelocation[];
  slot: number;
  zeroGap: boolean;
}

const SECTION = /^Disassembly of section (.*):\s*$/;
const HEADER = /^([0-9a-fA-F]+) <(.+)>:\s*$/;
const RELOC = /^\s*([0-9a-fA-F]+):\s+(R_\w+)\s+(\S+)\s*$/;
const LABEL = /^(\s*)([A-Za-z_.$][\w.$]*):/;
const ADDRESS = /^(\s*)(\d+):/;
const RAW = /^((?:[0-9a-f]{2} )*[0-9a-f]{2})\t/;
const NOTE = /\s+<[^<>\s]+>\s*$/;

function newSection(name: string): Pending {
  return {
    name,
    insns: [],
    lines: [],
    bareCalls: new Set(),
    labels: [],
    symbols: [],
    relocations: [],
    slot: 0,
    zeroGap: false,
  };
}

/** Move to `slot`, filling an objdump `...` run with zero slots. */
function seek(sec: Pending, slot: number, line: number, column: number): void {
  if (slot === sec.slot) return;
  if (!sec.zeroGap || slot < sec.slot) {
    throw new AsmError(`address ${slot} where ${sec.slot} was expected`, line, column);
  }
  while (sec.slot < slot) push(sec, { opcode: 0, dst: 0, src: 0, off: 0, imm: 0 }, line);
}

function push(sec: Pending, insn: Instruction, line: number): void {
  if (sec.labels.length) insn.labels = sec.labels.splice(0);
  sec.insns.push(insn);
  sec.lines.push(line);
  sec.slot += slotCount(insn);
  sec.zeroGap = false;
}

function label(sec: Pending, name: string): void {
  sec.labels.push(name);
  sec.symbols.push({ name, offset: sec.slot * SLOT_BYTES });
}

/** The instruction text at `start` of `line` (its raw bytes, if any, for `<unknown>`). */
function instruction(
  sec: Pending,
  text: string,
  start: number,
  lineNo: number,
  raw?: string,
): void {
  let body = text.slice(start).replace(/\s+$/, "");
  if (body === UNKNOWN) {
    const bytes = raw?.split(" ").map((b) => parseInt(b, 16));
    if (bytes?.length !== SLOT_BYTES) {
      throw new AsmError("<unknown> needs its 8 raw bytes to be assembled", lineNo, start + 1);
    }
    const view = new DataView(Uint8Array.from(bytes).buffer);
    push(sec, decodeSlot(view, 0), lineNo);
    return;
  }
  if (/goto/.test(body)) body = body.replace(NOTE, "");
  const cursor = new Cursor(tokenize(body, lineNo, start + 1), lineNo, start + body.length + 1);
  const parsed = parseStatement(cursor);
  if (parsed.bareCall) sec.bareCalls.add(parsed.insn);
  push(sec, parsed.insn, lineNo);
}

function parseLine(sections: Pending[], text: string, lineNo: number): void {
  const line = text.replace(/(\/\/|;).*$/, "");
  if (line.trim() === "" || /:\s*file format /.test(line)) return;
  const section = SECTION.exec(line);
  if (section) {
    sections.push(newSection(section[1]!));
    return;
  }
  const sec = sections[sections.length - 1]!;
  const header = HEADER.exec(line);
  if (header) {
    const offset = parseInt(header[1]!, 16);
    if (offset % SLOT_BYTES) throw new AsmError("symbol not on an 8-byte boundary", lineNo, 1);
    seek(sec, offset / SLOT_BYTES, lineNo, 1);
    label(sec, header[2]!);
    return;
  }
  if (line.trim() === "...") {
    sec.zeroGap = true;
    return;
  }
  const reloc = RELOC.exec(line);
  if (reloc) {
    sec.relocations.push({ offset: parseInt(reloc[1]!, 16), type: reloc[2]!, symbol: reloc[3]! });
    return;
  }
  const named = LABEL.exec(line);
  if (named) {
    label(sec, named[2]!);
    if (line.slice(named[0].length).trim()) instruction(sec, line, named[0].length, lineNo);
    return;
  }
  const address = ADDRESS.exec(line);
  if (!address) return instruction(sec, line, 0, lineNo);
  seek(sec, Number(address[2]), lineNo, address[1]!.length + 1);
  let start = address[0].length;
  while (line[start] === " " || line[start] === "\t") start++;
  const raw = RAW.exec(line.slice(start));
  instruction(sec, line, raw ? start + raw[0].length : start, lineNo, raw?.[1]);
}

/**
 * `call N` says nothing of its src field. It is a BPF-to-BPF call (src 1)
 * when N is negative (clang's unresolved `call -0x1`; no helper id is
 * negative), when a call relocation sits on it, or when it lands on a symbol.
 */
function settleCalls(sec: Pending): void {
  const symbolAt = new Set(sec.symbols.map((s) => s.offset));
  const relocAt = new Set(
    sec.relocations.filter((r) => r.type === "R_BPF_64_32").map((r) => r.offset),
  );
  let slot = 0;
  for (const insn of sec.insns) {
    const local =
      insn.imm < 0 ||
      relocAt.has(slot * SLOT_BYTES) ||
      symbolAt.has((slot + 1 + insn.imm) * SLOT_BYTES);
    if (sec.bareCalls.has(insn) && local) insn.src = CallSrc.LOCAL;
    slot += slotCount(insn);
  }
}

function finish(sec: Pending): AsmSection {
  settleCalls(sec);
  try {
    resolveLabels(sec.insns);
    const bytes = encode(sec.insns);
    return {
      name: sec.name,
      instructions: sec.insns,
      bytes,
      symbols: sec.symbols,
      relocations: sec.relocations,
    };
  } catch (e) {
    if (e instanceof EncodeError) throw new AsmError(e.message, sec.lines[e.index] ?? 1, 1);
    throw e;
  }
}

/** Assemble a listing with any number of `Disassembly of section` parts. */
export function assembleSections(text: string): AsmSection[] {
  const sections = [newSection("")];
  text.split(/\r?\n/).forEach((line, i) => parseLine(sections, line, i + 1));
  // The unnamed part before the first section line is kept only if it holds something.
  const used = sections.filter((s, i) => i > 0 || s.insns.length || s.labels.length);
  return used.map(finish);
}

/** Assemble one block of code (plain assembly or one section of a listing). */
export function assemble(text: string): AssembleResult {
  const sections = assembleSections(text);
  if (sections.length > 1) {
    throw new AsmError(`${sections.length} sections; use assembleSections`, 1, 1);
  }
  return sections[0] ?? { instructions: [], bytes: new Uint8Array(), symbols: [], relocations: [] };
}
