// The kernel's btf_show (kernel/bpf/btf.c), as bpf_snprintf_btf uses it: a
// typed object printed from its BTF. Written from the kernel's rules, and
// kept to its state machine because the output depends on its quirks:
//
// - each value is "<indent><name><value><delim><newline>"; the name is
//   "[.member = ](<prefix> <type name> <*...>[]...)<paren>" (at most 79
//   bytes, the kernel's name buffer), empty for array elements (and so for
//   the members of a struct that is an array element);
// - at depth > 0 without BTF_F_ZERO, zero values are left out, and a struct
//   or array is first walked silently (depth_check) and left out when
//   nothing inside would be shown; an enum's name always shows;
// - ints by size (%d/%u/%lld/%llu), bitfields and odd-sized ints as hex,
//   1-byte elements of arrays as 'c' while printable, up to a NUL;
// - pointers "0x%px" with BTF_F_PTR_RAW, else "0x%p" (hashed: SIMULATED here
//   by the raw value, which the kernel also prints for NULL);
// - array elements advance by the element's size only for sized kinds
//   (ints, enums, structs, unions, floats): arrays of pointers or arrays
//   repeat their first element, as the kernel's do;
// - typedef/modifier chains are shown as the underlying type under the
//   typedef's name, COMPACT drops indents and newlines, NONAME keeps
//   only the "{" / "[" parens.

import { skipModifiers } from "../../bpf/btf/resolve.js";
import {
  BTF_KIND,
  IntEncoding,
  type BtfArray,
  type BtfComposite,
  type BtfEnum,
  type BtfInt,
  type BtfMember,
  type BtfType,
  type BtfTypeList,
} from "../../bpf/btf/types.js";

/** BTF_F_* flags of bpf_snprintf_btf. */
export const BTF_F = { COMPACT: 1, NONAME: 2, PTR_RAW: 4, ZERO: 8 } as const;
export const BTF_F_ALL = 15;

const MAX_ITER = 10;
/** sizeof(show->state.name): the name is cut to 79 bytes. */
const NAME_SIZE = 80;
const INDENTS = 32;

interface State {
  depth: number;
  depthCheck: number;
  depthToShow: number;
  type: BtfType | undefined;
  typeId: number;
  member: BtfMember | undefined;
  arrayMember: boolean;
  arrayEncoding: number;
  arrayTerminated: boolean;
}

/** Latin-1 isprint of the kernel's _ctype table: 0x20-0x7e and 0xa0-0xff. */
const isprint = (c: number) => (c >= 0x20 && c <= 0x7e) || c >= 0xa0;

const hex16 = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, "0");

class Show {
  readonly out: string[] = [];
  readonly s: State = {
    depth: 0,
    depthCheck: 0,
    depthToShow: 0,
    type: undefined,
    typeId: 0,
    member: undefined,
    arrayMember: false,
    arrayEncoding: 0,
    arrayTerminated: false,
  };

  constructor(
    readonly types: BtfTypeList,
    readonly flags: number,
    readonly mem: Uint8Array,
  ) {}

  private emit(text: string): void {
    if (!this.s.depthCheck) this.out.push(text);
  }

  private indent(): string {
    return this.flags & BTF_F.COMPACT ? "" : " ".repeat(Math.min(this.s.depth, INDENTS));
  }
  private newline(): string {
    return this.flags & BTF_F.COMPACT ? "" : "\n";
  }
  private delim(): string {
    if (this.s.depth === 0) return "";
    return this.flags & BTF_F.COMPACT && this.s.type?.kind === "union" ? "|" : ",";
  }

  /** btf_type_skip_qualifiers: const/volatile/restrict/type_tag, not typedefs. */
  private skipQualifiers(id: number): BtfType | undefined {
    let t = this.types[id];
    for (let i = 0; t && i < 64; i++) {
      if (t.kind !== "const" && t.kind !== "volatile" && t.kind !== "restrict") {
        if (t.kind !== "type_tag") break;
      }
      t = this.types[t.type];
    }
    return t;
  }

  private name(): string {
    const s = this.s;
    if (s.arrayMember) return "";
    let id = s.typeId;
    let member = "";
    if (s.member) {
      member = s.member.name;
      id = s.member.type;
    }
    let t = this.types[id];
    if (!t) return "";
    let name: string | undefined;
    let parens = "";
    let ptrs = 0;
    let arrays = 0;
    let typedef = false;
    let ptr = false;
    let array = false;
    let i = 0;
    for (; i < MAX_ITER; i++) {
      if (t.kind === "typedef") {
        name ??= t.name;
        typedef = true;
        id = t.type;
      } else if (t.kind === "array") {
        array = true;
        parens = "[";
        arrays = Math.min(arrays + 1, MAX_ITER);
        id = t.elemType;
      } else if (t.kind === "ptr") {
        ptr = true;
        ptrs = Math.min(ptrs + 1, MAX_ITER);
        id = t.type;
      } else {
        id = 0;
      }
      if (!id) break;
      const next = this.skipQualifiers(id);
      if (!next) return "";
      t = next;
    }
    if (i === MAX_ITER) return "";
    name ??= t.name;
    let prefix = "";
    if (t.kind === "struct" || t.kind === "union") {
      prefix = t.kind;
      if (!array) parens = "{";
    } else if (t.kind === "enum" || t.kind === "enum64") {
      prefix = "enum";
    }
    if (ptr) parens = "";
    if (typedef) prefix = "";
    let text: string;
    if (this.flags & BTF_F.NONAME) {
      text = parens;
    } else {
      const m = member ? `.${member} = ` : "";
      const sp = prefix && name ? " " : "";
      const stars = "*".repeat(ptrs);
      text = `${m}(${prefix}${sp}${name}${stars ? " " : ""}${stars}${"[]".repeat(arrays)})${parens}`;
    }
    return text.slice(0, NAME_SIZE - 1);
  }

  /** btf_show_type_value: shown when non-zero, with BTF_F_ZERO, or at the top. */
  private value(text: string, nonZero: boolean): void {
    if (nonZero || this.flags & BTF_F.ZERO || this.s.depth === 0) this.values(text);
  }
  private values(text: string): void {
    this.emit(this.indent() + this.name() + text + this.delim() + this.newline());
    if (this.s.depth > this.s.depthToShow) this.s.depthToShow = this.s.depth;
  }

  private startType(t: BtfType, id: number): void {
    this.s.type = t;
    this.s.typeId = id;
  }
  private endType(): void {
    this.s.type = undefined;
    this.s.typeId = 0;
  }
  private startAggr(t: BtfType, id: number): void {
    this.startType(t, id);
    this.emit(this.indent() + this.name() + this.newline());
    this.s.depth++;
  }
  private endAggr(suffix: string): void {
    this.s.depth--;
    this.emit(this.indent() + suffix + this.delim() + this.newline());
    this.endType();
  }

  private bytes(at: number, n: number): bigint {
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.mem[at + i] ?? 0);
    return v;
  }

  /** btf_int128_print. */
  private int128(v: bigint): void {
    const upper = v >> 64n;
    const lower = BigInt.asUintN(64, v);
    if (upper === 0n) this.value(`0x${lower.toString(16)}`, lower !== 0n);
    else this.values(`0x${upper.toString(16)}${lower.toString(16).padStart(16, "0")}`);
  }

  /** btf_bitfield_show: nrBits bits from bit `bitsOffset` of the bytes at `at`. */
  private bitfield(at: number, bitsOffset: number, nrBits: number): void {
    const raw = this.bytes(at, Math.ceil((nrBits + bitsOffset) / 8));
    this.int128((raw >> BigInt(bitsOffset)) & ((1n << BigInt(nrBits)) - 1n));
  }

  show(id: number, at: number, bitsOffset: number): void {
    const t = this.types[id];
    if (!t) return;
    switch (t.kind) {
      case "int":
        return this.int(t, id, at, bitsOffset);
      case "ptr":
        return this.ptr(t, id, at);
      case "array":
      case "struct":
      case "union":
        return this.aggregate(t, id, at, bitsOffset);
      case "enum":
      case "enum64":
        return this.enumValue(t, id, at);
      case "typedef":
      case "const":
      case "volatile":
      case "restrict":
      case "type_tag": {
        // btf_modifier_show: vmlinux BTF has no resolved ids, so the type is skipped to but the
        // id (whose name a top-level object shows) stays the typedef's.
        return this.showAs(skipModifiers(this.types, id), id, at, bitsOffset);
      }
      case "var":
        return this.show(t.type, at, bitsOffset);
      default:
        this.emit(`<unsupported kind:${BTF_KIND[t.kind]}>`);
    }
  }

  private int(t: BtfInt, id: number, at: number, bitsOffset: number): void {
    this.startType(t, id);
    const signed = (t.encoding & IntEncoding.SIGNED) !== 0;
    const bits = t.bits;
    if (bitsOffset || t.bitOffset || bits % 8) {
      this.intBits(t, at, bitsOffset);
    } else if (bits === 128) {
      this.int128(this.bytes(at, 16));
    } else if (bits === 64 || bits === 32 || bits === 16) {
      const raw = this.bytes(at, bits / 8);
      const v = signed ? BigInt.asIntN(bits, raw) : raw;
      this.value(v.toString(), v !== 0n);
    } else if (bits === 8) {
      this.int8(signed, at);
    } else {
      this.intBits(t, at, bitsOffset);
    }
    this.endType();
  }

  private int8(signed: boolean, at: number): void {
    const c = this.mem[at] ?? 0;
    if (this.s.arrayEncoding === IntEncoding.CHAR) {
      if (this.s.arrayTerminated) return;
      if (c === 0) {
        this.s.arrayTerminated = true;
        return;
      }
      if (isprint(c)) {
        this.value(`'${String.fromCharCode(c)}'`, true);
        return;
      }
    }
    const v = signed ? (c << 24) >> 24 : c;
    this.value(String(v), v !== 0);
  }

  /** btf_int_bits_show. */
  private intBits(t: BtfInt, at: number, bitsOffset: number): void {
    const total = bitsOffset + t.bitOffset;
    this.bitfield(at + (total >> 3), total & 7, t.bits);
  }

  private ptr(t: BtfType, id: number, at: number): void {
    this.startType(t, id);
    const p = this.bytes(at, 8);
    // "0x%px"; "0x%p" hashes every other value (SIMULATED: raw), NULL and errors print raw.
    this.value(`0x${hex16(p)}`, p !== 0n);
    this.endType();
  }

  private enumValue(t: BtfEnum, id: number, at: number): void {
    this.startType(t, id);
    const wide = t.kind === "enum64";
    const v = wide ? this.bytes(at, 8) : this.bytes(at, 4);
    const bits = wide ? 64 : 32;
    const hit = t.values.find((e) => BigInt.asUintN(bits, e.value) === v);
    if (hit) {
      this.value(hit.name, true); // a string pointer: never "zero"
    } else {
      const shown = t.signed ? BigInt.asIntN(bits, v) : v;
      this.value(shown.toString(), v !== 0n);
    }
    this.endType();
  }

  /** btf_struct_show / btf_array_show: a silent walk first when zeros are hidden. */
  private aggregate(t: BtfArray | BtfComposite, id: number, at: number, bitsOffset: number): void {
    const s = this.s;
    const inner = () =>
      t.kind === "array" ? this.arrayInner(t, id, at, bitsOffset) : this.structInner(t, id, at);
    const m = s.member;
    if (s.depth > 0 && !(this.flags & BTF_F.ZERO)) {
      if (!s.depthCheck) {
        s.depthCheck = s.depth + 1;
        s.depthToShow = 0;
      }
      inner();
      s.member = m;
      if (s.depthCheck !== s.depth + 1) return;
      s.depthCheck = 0;
      if (s.depthToShow <= s.depth) return;
    }
    inner();
  }

  private arrayInner(t: BtfArray, id: number, at: number, bitsOffset: number): void {
    const elemId = t.elemType;
    const elem = this.types[skipModifiers(this.types, elemId)];
    const sized =
      elem &&
      (elem.kind === "int" ||
        elem.kind === "struct" ||
        elem.kind === "union" ||
        elem.kind === "enum" ||
        elem.kind === "enum64" ||
        elem.kind === "float" ||
        elem.kind === "datasec");
    const elemSize = sized ? elem.size : 0;
    let encoding = 0;
    if (elem?.kind === "int") encoding = elemSize === 1 ? IntEncoding.CHAR : elem.encoding;
    this.s.arrayEncoding = encoding;
    this.s.arrayTerminated = false;
    this.startAggr(t, id);
    if (elem) {
      const elemShowId = skipModifiers(this.types, elemId);
      for (let i = 0; i < t.nelems; i++) {
        this.s.arrayMember = true;
        this.s.member = undefined;
        this.showAs(elemShowId, elemId, at, bitsOffset);
        at += elemSize;
        this.s.arrayMember = false;
        this.s.member = undefined;
        if (this.s.arrayTerminated) break;
      }
    }
    this.s.arrayEncoding = 0;
    this.s.arrayTerminated = false;
    this.endAggr("]");
  }

  /** elem_ops->show(btf, elem_type, elem_type_id, ...): the resolved type's show, the original id. */
  private showAs(typeOf: number, id: number, at: number, bitsOffset: number): void {
    const t = this.types[typeOf]!;
    if (t.kind === "int") this.int(t, id, at, bitsOffset);
    else if (t.kind === "ptr") this.ptr(t, id, at);
    else if (t.kind === "enum" || t.kind === "enum64") this.enumValue(t, id, at);
    else if (t.kind === "array" || t.kind === "struct" || t.kind === "union") {
      this.aggregate(t, id, at, bitsOffset);
    } else this.show(typeOf, at, bitsOffset);
  }

  private structInner(t: BtfComposite, id: number, at: number): void {
    this.startAggr(t, id);
    for (const m of t.members) {
      this.s.member = m;
      const bytes = m.bitOffset >> 3;
      const bits8 = m.bitOffset & 7;
      if (m.bitfieldSize) {
        this.startType(this.types[m.type]!, m.type);
        this.bitfield(at + bytes, bits8, m.bitfieldSize);
        this.endType();
      } else {
        this.show(m.type, at + bytes, bits8);
      }
      this.s.member = undefined;
    }
    this.endAggr("}");
  }
}

/** btf_type_show into text: what the kernel's btf_snprintf_show calls would concatenate. */
export function btfShow(types: BtfTypeList, id: number, obj: Uint8Array, flags: number): string {
  const show = new Show(types, flags, obj);
  show.show(id, 0, 0);
  return show.out.join("");
}
