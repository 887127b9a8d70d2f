// Builds a `.BTF` section: collects types (each gets the next id, from 1),
// then encodes header, type section and string table. `intern` reuses an
// identical earlier type, so helpers can ask for `int` or `__u32 *` freely.
// The string table is owned here; `.BTF.ext` adds its strings through
// `strings` before `encode` is called (encode seals the table).
//
// Header (24 bytes, offsets relative to its end):
//   magic u16 = 0xEB9F | version u8 = 1 | flags u8 = 0 | hdr_len u32 = 24
//   type_off u32 | type_len u32 | str_off u32 | str_len u32

import { StringTable } from "./strings.js";
import {
  BTF_HEADER_LEN,
  BTF_KIND,
  BTF_MAGIC,
  BtfError,
  type BtfMember,
  type BtfParam,
  type BtfType,
  type BtfVarSecinfo,
  IntEncoding,
  Linkage,
} from "./types.js";

export class BtfBuilder {
  readonly strings = new StringTable();
  /** `types[id - 1]` is type `id`. */
  private readonly types: BtfType[] = [];
  private readonly interned = new Map<string, number>();

  /** Append a type and return its id. */
  add(t: BtfType): number {
    this.types.push(t);
    return this.types.length;
  }

  /** Return the id of an identical earlier type (added through intern), else add it. */
  intern(t: BtfType): number {
    const key = JSON.stringify(t, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    const known = this.interned.get(key);
    if (known !== undefined) return known;
    const id = this.add(t);
    this.interned.set(key, id);
    return id;
  }

  get(id: number): BtfType | undefined {
    return this.types[id - 1];
  }

  get count(): number {
    return this.types.length;
  }

  /** All types, `list[id]`, with `list[0]` undefined for void. */
  list(): (BtfType | undefined)[] {
    return [undefined, ...this.types];
  }

  int(name: string, size: number, encoding = IntEncoding.NONE): number {
    return this.intern({ kind: "int", name, size, encoding, bitOffset: 0, bits: size * 8 });
  }
  ptr(type: number): number {
    return this.intern({ kind: "ptr", name: "", type });
  }
  typedef(name: string, type: number): number {
    return this.intern({ kind: "typedef", name, type });
  }
  const(type: number): number {
    return this.intern({ kind: "const", name: "", type });
  }
  volatile(type: number): number {
    return this.intern({ kind: "volatile", name: "", type });
  }
  restrict(type: number): number {
    return this.intern({ kind: "restrict", name: "", type });
  }
  typeTag(name: string, type: number): number {
    return this.intern({ kind: "type_tag", name, type });
  }
  /** The index type clang uses for arrays. */
  arrayIndexType(): number {
    return this.int("__ARRAY_SIZE_TYPE__", 4);
  }
  array(elemType: number, nelems: number, indexType = this.arrayIndexType()): number {
    return this.intern({ kind: "array", name: "", elemType, indexType, nelems });
  }
  /** A struct; members without bitOffset are laid out by the caller's offsets in bits. */
  struct(name: string, size: number, members: Omit<BtfMember, "bitfieldSize">[]): number {
    return this.add({ kind: "struct", name, size, members: withBitfield(members) });
  }
  union(name: string, size: number, members: Omit<BtfMember, "bitfieldSize">[]): number {
    return this.add({ kind: "union", name, size, members: withBitfield(members) });
  }
  enum(name: string, size: number, values: { name: string; value: bigint }[], signed = false) {
    const kind = values.some((v) => v.value > 0xffffffffn || v.value < -0x80000000n)
      ? "enum64"
      : "enum";
    return this.add({ kind, name, size, signed, values });
  }
  fwd(name: string, union = false): number {
    return this.intern({ kind: "fwd", name, union });
  }
  float(name: string, size: number): number {
    return this.intern({ kind: "float", name, size });
  }
  funcProto(returnType: number, params: BtfParam[]): number {
    return this.add({ kind: "func_proto", name: "", returnType, params });
  }
  func(name: string, proto: number, linkage = Linkage.GLOBAL): number {
    return this.add({ kind: "func", name, type: proto, linkage });
  }
  variable(name: string, type: number, linkage = Linkage.GLOBAL): number {
    return this.add({ kind: "var", name, type, linkage });
  }
  datasec(name: string, size: number, vars: BtfVarSecinfo[]): number {
    return this.add({ kind: "datasec", name, size, vars });
  }
  declTag(name: string, type: number, componentIdx = -1): number {
    return this.add({ kind: "decl_tag", name, type, componentIdx });
  }

  /** The `.BTF` section bytes. Seals the string table. */
  encode(): Uint8Array {
    const typeBytes = encodeTypes(this.types, this.strings, this.types.length);
    const strBytes = this.strings.encode();
    const out = new Uint8Array(BTF_HEADER_LEN + typeBytes.length + strBytes.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, BTF_MAGIC, true);
    v.setUint8(2, 1);
    v.setUint8(3, 0);
    v.setUint32(4, BTF_HEADER_LEN, true);
    v.setUint32(8, 0, true);
    v.setUint32(12, typeBytes.length, true);
    v.setUint32(16, typeBytes.length, true);
    v.setUint32(20, strBytes.length, true);
    out.set(typeBytes, BTF_HEADER_LEN);
    out.set(strBytes, BTF_HEADER_LEN + typeBytes.length);
    return out;
  }
}

function withBitfield(members: Omit<BtfMember, "bitfieldSize">[]): BtfMember[] {
  return members.map((m) => ({ ...m, bitfieldSize: 0 }));
}

/** Encode the type section; every referenced id must be below `maxId + 1`. */
function encodeTypes(types: readonly BtfType[], strings: StringTable, maxId: number): Uint8Array {
  const words: number[] = [];
  const ref = (id: number, what: string): number => {
    if (!Number.isInteger(id) || id < 0 || id > maxId) {
      throw new BtfError(`${what} refers to type ${id}, but only ${maxId} types exist`);
    }
    return id;
  };
  types.forEach((t, i) => {
    const what = `type ${i + 1} (${t.kind} '${t.name}')`;
    const head = (vlen: number, sizeOrType: number, kindFlag = false) => {
      if (vlen > 0xffff) throw new BtfError(`${what} has ${vlen} entries; BTF allows 65535`);
      const info = ((kindFlag ? 1 : 0) << 31) | (BTF_KIND[t.kind] << 24) | vlen;
      words.push(strings.add(t.name), info >>> 0, sizeOrType >>> 0);
    };
    switch (t.kind) {
      case "int":
        head(0, t.size);
        words.push(((t.encoding << 24) | (t.bitOffset << 16) | t.bits) >>> 0);
        break;
      case "ptr":
      case "typedef":
      case "volatile":
      case "const":
      case "restrict":
      case "type_tag":
        head(0, ref(t.type, what));
        break;
      case "array":
        head(0, 0);
        words.push(ref(t.elemType, what), ref(t.indexType, what), t.nelems >>> 0);
        break;
      case "struct":
      case "union": {
        const bitfields = t.members.some((m) => m.bitfieldSize !== 0);
        head(t.members.length, t.size, bitfields);
        for (const m of t.members) {
          const off = bitfields ? (m.bitfieldSize << 24) | m.bitOffset : m.bitOffset;
          words.push(strings.add(m.name), ref(m.type, what), off >>> 0);
        }
        break;
      }
      case "enum":
      case "enum64":
        head(t.values.length, t.size, t.signed);
        for (const e of t.values) {
          const u = BigInt.asUintN(64, e.value);
          words.push(strings.add(e.name), Number(u & 0xffffffffn));
          if (t.kind === "enum64") words.push(Number(u >> 32n));
        }
        break;
      case "fwd":
        head(0, 0, t.union);
        break;
      case "func":
        head(t.linkage, ref(t.type, what));
        break;
      case "func_proto":
        head(t.params.length, ref(t.returnType, what));
        for (const p of t.params) words.push(strings.add(p.name), ref(p.type, what));
        break;
      case "var":
        head(0, ref(t.type, what));
        words.push(t.linkage);
        break;
      case "datasec":
        head(t.vars.length, t.size);
        for (const s of t.vars) words.push(ref(s.type, what), s.offset >>> 0, s.size >>> 0);
        break;
      case "float":
        head(0, t.size);
        break;
      case "decl_tag":
        head(0, ref(t.type, what));
        words.push(t.componentIdx >>> 0);
        break;
    }
  });
  const out = new Uint8Array(words.length * 4);
  const v = new DataView(out.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  return out;
}
