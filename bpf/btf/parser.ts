// Parses a `.BTF` section into the type list of types.ts. Every length,
// offset, kind, string offset and type reference is checked; bad input
// gives a BtfError naming the type and what is wrong, never a RangeError.

import { readCString } from "./strings.js";
import {
  BTF_HEADER_LEN,
  BTF_KIND,
  BTF_MAGIC,
  BTF_TYPE_LEN,
  BtfError,
  type BtfKindName,
  type BtfType,
  type BtfTypeList,
  Linkage,
} from "./types.js";

export interface ParsedBtf {
  /** `types[id]`; `types[0]` is undefined (void). */
  types: BtfTypeList;
  /** The raw string table, for `.BTF.ext` string offsets. */
  strings: Uint8Array;
  /** Read the string at an offset of the string table. */
  string(off: number): string;
}

const KIND_NAMES = new Map<number, BtfKindName>(
  Object.entries(BTF_KIND).map(([name, n]) => [n, name as BtfKindName]),
);

export function parseBtf(bytes: Uint8Array): ParsedBtf {
  if (bytes.length < BTF_HEADER_LEN) {
    throw new BtfError(`.BTF is ${bytes.length} bytes, shorter than its 24-byte header`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint16(0, true);
  if (magic !== BTF_MAGIC) {
    throw new BtfError(`.BTF magic is 0x${magic.toString(16)}, expected 0xeb9f (little-endian)`);
  }
  if (v.getUint8(2) !== 1) throw new BtfError(`.BTF version ${v.getUint8(2)} is not 1`);
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < BTF_HEADER_LEN || hdrLen > bytes.length) {
    throw new BtfError(`.BTF hdr_len ${hdrLen} is out of range`);
  }
  const [typeOff, typeLen, strOff, strLen] = [8, 12, 16, 20].map((o) => v.getUint32(o, true)) as [
    number,
    number,
    number,
    number,
  ];
  const body = bytes.length - hdrLen;
  if (typeOff + typeLen > body || strOff + strLen > body) {
    throw new BtfError(
      `.BTF type section (${typeOff}+${typeLen}) or string section (${strOff}+${strLen}) ` +
        `runs past the ${body} bytes after the header`,
    );
  }
  if (typeOff % 4 !== 0) throw new BtfError(`.BTF type_off ${typeOff} is not 4-byte aligned`);
  const strings = bytes.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  if (strLen > 0 && (strings[0] !== 0 || strings[strLen - 1] !== 0)) {
    throw new BtfError(".BTF string table must start and end with a NUL byte");
  }
  const string = (off: number) => readCString(strings, off, (m) => new BtfError(`.BTF: ${m}`));
  const types = readTypes(new DataView(v.buffer, v.byteOffset + hdrLen + typeOff, typeLen), string);
  checkRefs(types);
  return { types, strings, string };
}

function readTypes(v: DataView, string: (off: number) => string): (BtfType | undefined)[] {
  const types: (BtfType | undefined)[] = [undefined];
  let at = 0;
  const u32 = (o: number) => v.getUint32(o, true);
  while (at < v.byteLength) {
    const id = types.length;
    if (at + BTF_TYPE_LEN > v.byteLength) {
      throw new BtfError(`type ${id} at offset ${at} is truncated (header needs 12 bytes)`);
    }
    const info = u32(at + 4);
    const kindNum = (info >>> 24) & 0x1f;
    const kind = KIND_NAMES.get(kindNum);
    if (kind === undefined) throw new BtfError(`type ${id} has unknown kind ${kindNum}`);
    const vlen = info & 0xffff;
    const kindFlag = info >>> 31 === 1;
    const name = string(u32(at));
    const sizeOrType = u32(at + 8);
    const extra = extraBytes(kind, vlen);
    const data = at + BTF_TYPE_LEN;
    if (data + extra > v.byteLength) {
      throw new BtfError(`type ${id} (${kind} '${name}') is truncated: needs ${extra} more bytes`);
    }
    const rec = (i: number, size: number, field: number) => u32(data + i * size + field * 4);
    let t: BtfType;
    switch (kind) {
      case "int": {
        const w = u32(data);
        t = {
          kind,
          name,
          size: sizeOrType,
          encoding: w >>> 24,
          bitOffset: (w >>> 16) & 0xff,
          bits: w & 0xff,
        };
        break;
      }
      case "ptr":
      case "typedef":
      case "volatile":
      case "const":
      case "restrict":
      case "type_tag":
        t = { kind, name, type: sizeOrType };
        break;
      case "array":
        t = { kind, name, elemType: u32(data), indexType: u32(data + 4), nelems: u32(data + 8) };
        break;
      case "struct":
      case "union":
        t = { kind, name, size: sizeOrType, members: [] };
        for (let i = 0; i < vlen; i++) {
          const off = rec(i, 12, 2);
          t.members.push({
            name: string(rec(i, 12, 0)),
            type: rec(i, 12, 1),
            bitOffset: kindFlag ? off & 0xffffff : off,
            bitfieldSize: kindFlag ? off >>> 24 : 0,
          });
        }
        break;
      case "enum":
      case "enum64": {
        const size = kind === "enum" ? 8 : 12;
        t = { kind, name, size: sizeOrType, signed: kindFlag, values: [] };
        for (let i = 0; i < vlen; i++) {
          const lo = BigInt(rec(i, size, 1));
          const raw = kind === "enum" ? lo : (BigInt(rec(i, size, 2)) << 32n) | lo;
          const bits = kind === "enum" ? 32 : 64;
          const value = kindFlag ? BigInt.asIntN(bits, raw) : raw;
          t.values.push({ name: string(rec(i, size, 0)), value });
        }
        break;
      }
      case "fwd":
        t = { kind, name, union: kindFlag };
        break;
      case "func":
        if (vlen > Linkage.EXTERN)
          throw new BtfError(`type ${id} (func '${name}') has linkage ${vlen}`);
        t = { kind, name, type: sizeOrType, linkage: vlen };
        break;
      case "func_proto":
        t = { kind, name, returnType: sizeOrType, params: [] };
        for (let i = 0; i < vlen; i++) {
          t.params.push({ name: string(rec(i, 8, 0)), type: rec(i, 8, 1) });
        }
        break;
      case "var":
        t = { kind, name, type: sizeOrType, linkage: u32(data) };
        break;
      case "datasec":
        t = { kind, name, size: sizeOrType, vars: [] };
        for (let i = 0; i < vlen; i++) {
          t.vars.push({ type: rec(i, 12, 0), offset: rec(i, 12, 1), size: rec(i, 12, 2) });
        }
        break;
      case "float":
        t = { kind, name, size: sizeOrType };
        break;
      case "decl_tag":
        t = { kind, name, type: sizeOrType, componentIdx: v.getInt32(data, true) };
        break;
    }
    types.push(t);
    at = data + extra;
  }
  return types;
}

/** Bytes of kind-specific data after the 12-byte header. */
function extraBytes(kind: BtfKindName, vlen: number): number {
  switch (kind) {
    case "int":
    case "var":
    case "decl_tag":
      return 4;
    case "array":
      return 12;
    case "struct":
    case "union":
    case "datasec":
    case "enum64":
      return 12 * vlen;
    case "enum":
    case "func_proto":
      return 8 * vlen;
    default:
      return 0;
  }
}

/** Every type id a type mentions, for range checks and graph walks. */
export function typeRefs(t: BtfType): number[] {
  switch (t.kind) {
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
    case "func":
    case "var":
    case "decl_tag":
      return [t.type];
    case "array":
      return [t.elemType, t.indexType];
    case "struct":
    case "union":
      return t.members.map((m) => m.type);
    case "func_proto":
      return [t.returnType, ...t.params.map((p) => p.type)];
    case "datasec":
      return t.vars.map((s) => s.type);
    default:
      return [];
  }
}

function checkRefs(types: BtfTypeList): void {
  types.forEach((t, id) => {
    if (!t) return;
    for (const ref of typeRefs(t)) {
      if (ref >= types.length) {
        throw new BtfError(
          `type ${id} (${t.kind} '${t.name}') refers to type ${ref}, but only ${types.length - 1} exist`,
        );
      }
    }
  });
}
