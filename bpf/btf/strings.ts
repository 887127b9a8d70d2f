// The BTF string table: NUL-terminated UTF-8 strings, offset 0 is "".
// Adding a string twice gives the same offset. The table can be sealed once
// it has been written, so that a late `.BTF.ext` string (a file name, a
// source line) cannot silently point past the end of an already encoded
// `.BTF` (OBJECT-FORMAT.md: write the table after every .BTF.ext string).

import { BtfError } from "./types.js";

const utf8 = new TextEncoder();

export class StringTable {
  private readonly offsets = new Map<string, number>([["", 0]]);
  private readonly chunks: Uint8Array[] = [new Uint8Array(1)];
  private length = 1;
  private sealed = false;

  /** Offset of `s`, adding it if new. */
  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    if (this.sealed) {
      throw new BtfError(`string "${s}" added after the string table was written`);
    }
    if (s.includes("\0")) throw new BtfError(`string ${JSON.stringify(s)} contains a NUL byte`);
    const bytes = utf8.encode(s);
    const off = this.length;
    const chunk = new Uint8Array(bytes.length + 1);
    chunk.set(bytes);
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.offsets.set(s, off);
    return off;
  }

  get size(): number {
    return this.length;
  }

  /** The table's bytes; no string can be added afterwards. */
  encode(): Uint8Array {
    this.sealed = true;
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Read the NUL-terminated string at `off` in `table`. Throws `makeError(msg)`
 * when the offset is outside the table or the string is not terminated.
 */
export function readCString(
  table: Uint8Array,
  off: number,
  makeError: (message: string) => Error,
): string {
  if (!Number.isInteger(off) || off < 0 || off >= table.length) {
    throw makeError(`string offset ${off} is outside the string table (size ${table.length})`);
  }
  const end = table.indexOf(0, off);
  if (end < 0) throw makeError(`string at offset ${off} is not NUL-terminated`);
  return utf8Decoder.decode(table.subarray(off, end));
}
