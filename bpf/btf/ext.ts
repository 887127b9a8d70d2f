// `.BTF.ext`: per-section func_info and line_info records, written and read.
// Strings (section names, file names, source lines) live in `.BTF`'s string
// table, so the writer takes the BtfBuilder's StringTable and must run
// before `.BTF` is encoded.
//
// Header (clang writes hdr_len 32, adding core_relo_off/len):
//   magic u16 | version u8 | flags u8 | hdr_len u32
//   func_info_off u32 | func_info_len u32 | line_info_off u32 | line_info_len u32
// Each block: rec_size u32, then per section
//   sec_name_off u32 | num_info u32 | num_info records of rec_size bytes
// func_info record (8):  insn_off (bytes) | type_id (a FUNC)
// line_info record (16): insn_off (bytes) | file_name_off | line_off | line << 10 | column

import type { StringTable } from "./strings.js";
import { BTF_MAGIC, BtfError } from "./types.js";

export interface FuncInfoRecord {
  /** Byte offset of the function's first instruction in its section. */
  insnOff: number;
  /** The FUNC type id. */
  typeId: number;
}

export interface LineInfoRecord {
  /** Byte offset of the instruction in its section. */
  insnOff: number;
  fileName: string;
  /** The text of the source line. */
  line: string;
  lineNum: number;
  column: number;
}

export interface ExtSection<T> {
  section: string;
  records: T[];
}

export interface BtfExt {
  funcInfo: ExtSection<FuncInfoRecord>[];
  lineInfo: ExtSection<LineInfoRecord>[];
  /** Byte length of the CO-RE relocation block, kept but not interpreted. */
  coreReloLen: number;
}

const HDR_LEN = 24;
const FUNC_REC = 8;
const LINE_REC = 16;

/**
 * Encode `.BTF.ext`, adding its strings to `strings`. Checks the rules
 * libbpf and bpftool rely on: func_info whenever line_info, offsets strictly
 * increasing per section, and no empty blocks (sections without records are
 * left out). Returns undefined when there is nothing to write.
 */
export function encodeBtfExt(ext: Omit<BtfExt, "coreReloLen">, strings: StringTable) {
  const funcs = ext.funcInfo.filter((s) => s.records.length > 0);
  const lines = ext.lineInfo.filter((s) => s.records.length > 0);
  if (funcs.length === 0 && lines.length === 0) return undefined;
  for (const s of lines) {
    if (!funcs.some((f) => f.section === s.section)) {
      throw new BtfError(`line_info for section ${s.section} without func_info`);
    }
  }
  for (const s of [...funcs, ...lines]) {
    s.records.forEach((r, i) => {
      if (r.insnOff % 8 !== 0)
        throw new BtfError(`${s.section}: insn_off ${r.insnOff} is not a multiple of 8`);
      if (i > 0 && r.insnOff <= s.records[i - 1]!.insnOff) {
        throw new BtfError(`${s.section}: insn_off ${r.insnOff} does not increase`);
      }
    });
  }
  const words: number[] = [];
  const block = <T>(rec: number, secs: ExtSection<T>[], emit: (r: T) => number[]) => {
    if (secs.length === 0) return 0;
    const start = words.length;
    words.push(rec);
    for (const s of secs) {
      words.push(strings.add(s.section), s.records.length);
      for (const r of s.records) words.push(...emit(r));
    }
    return (words.length - start) * 4;
  };
  const funcLen = block(FUNC_REC, funcs, (r) => [r.insnOff, r.typeId]);
  const lineLen = block(LINE_REC, lines, (r) => {
    if (r.lineNum >= 1 << 22 || r.column >= 1 << 10) {
      throw new BtfError(`line ${r.lineNum} column ${r.column} does not fit line_info`);
    }
    return [r.insnOff, strings.add(r.fileName), strings.add(r.line), (r.lineNum << 10) | r.column];
  });
  const out = new Uint8Array(HDR_LEN + words.length * 4);
  const v = new DataView(out.buffer);
  v.setUint16(0, BTF_MAGIC, true);
  v.setUint8(2, 1);
  v.setUint32(4, HDR_LEN, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, funcLen, true);
  v.setUint32(16, funcLen, true);
  v.setUint32(20, lineLen, true);
  words.forEach((w, i) => v.setUint32(HDR_LEN + i * 4, w >>> 0, true));
  return out;
}

/** Parse `.BTF.ext`; `string` reads `.BTF`'s string table. */
export function parseBtfExt(bytes: Uint8Array, string: (off: number) => string): BtfExt {
  if (bytes.length < HDR_LEN) {
    throw new BtfError(`.BTF.ext is ${bytes.length} bytes, shorter than its 24-byte header`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, true) !== BTF_MAGIC) throw new BtfError(".BTF.ext magic is not 0xeb9f");
  if (v.getUint8(2) !== 1) throw new BtfError(`.BTF.ext version ${v.getUint8(2)} is not 1`);
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < HDR_LEN || hdrLen > bytes.length) {
    throw new BtfError(`.BTF.ext hdr_len ${hdrLen} is out of range`);
  }
  const field = (o: number) => v.getUint32(o, true);
  const coreReloLen = hdrLen >= 32 ? field(28) : 0;
  const body = new DataView(v.buffer, v.byteOffset + hdrLen, v.byteLength - hdrLen);
  const funcInfo = readBlock(body, field(8), field(12), FUNC_REC, "func_info", string, (o) => ({
    insnOff: body.getUint32(o, true),
    typeId: body.getUint32(o + 4, true),
  }));
  const lineInfo = readBlock(body, field(16), field(20), LINE_REC, "line_info", string, (o) => {
    const pos = body.getUint32(o + 12, true);
    return {
      insnOff: body.getUint32(o, true),
      fileName: string(body.getUint32(o + 4, true)),
      line: string(body.getUint32(o + 8, true)),
      lineNum: pos >>> 10,
      column: pos & 0x3ff,
    };
  });
  return { funcInfo, lineInfo, coreReloLen };
}

function readBlock<T>(
  v: DataView,
  off: number,
  len: number,
  minRec: number,
  what: string,
  string: (off: number) => string,
  read: (at: number) => T,
): ExtSection<T>[] {
  if (len === 0) return [];
  if (off + len > v.byteLength || len < 4) {
    throw new BtfError(`.BTF.ext ${what} block (${off}+${len}) is out of range`);
  }
  const recSize = v.getUint32(off, true);
  if (recSize < minRec || recSize % 4 !== 0) {
    throw new BtfError(`.BTF.ext ${what} record size ${recSize} is invalid (at least ${minRec})`);
  }
  const out: ExtSection<T>[] = [];
  const end = off + len;
  let at = off + 4;
  while (at < end) {
    if (at + 8 > end) throw new BtfError(`.BTF.ext ${what} section header is truncated`);
    const section = string(v.getUint32(at, true));
    const count = v.getUint32(at + 4, true);
    at += 8;
    if (count === 0 || count * recSize > end - at) {
      throw new BtfError(`.BTF.ext ${what} for ${section}: ${count} records do not fit the block`);
    }
    const records: T[] = [];
    for (let i = 0; i < count; i++, at += recSize) records.push(read(at));
    out.push({ section, records });
  }
  return out;
}
