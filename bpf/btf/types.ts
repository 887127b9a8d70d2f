// The BTF type model shared by the builder (types -> bytes), the parser
// (bytes -> types) and the dumper. Types refer to each other by id (0 is
// `void`, the first real type is 1); names are plain strings here and become
// string-table offsets only when encoding.
//
// One encoded type (struct btf_type, 12 bytes) then kind-specific data:
//   +-----------+---------------------------------------+-------------------+
//   | name_off  | info: kind_flag<<31 | kind<<24 | vlen  | size or type id   |
//   |  u32      |  u32                                  |  u32              |
//   +-----------+---------------------------------------+-------------------+

/** The numeric BTF_KIND_* values, as in linux/btf.h. */
export const BTF_KIND = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

export type BtfKindName = keyof typeof BTF_KIND;

/** Bits of an INT's encoding field. */
export enum IntEncoding {
  NONE = 0,
  SIGNED = 1,
  CHAR = 2,
  BOOL = 4,
}

/** FUNC linkage (in the vlen field) and VAR linkage (the extra u32). */
export enum Linkage {
  STATIC = 0,
  GLOBAL = 1,
  EXTERN = 2,
}

export interface BtfInt {
  kind: "int";
  name: string;
  size: number;
  encoding: IntEncoding;
  bitOffset: number;
  bits: number;
}
/** PTR, TYPEDEF and the modifiers: a name (empty except for typedef/type_tag) and a target. */
export interface BtfRef {
  kind: "ptr" | "typedef" | "volatile" | "const" | "restrict" | "type_tag";
  name: string;
  type: number;
}
export interface BtfArray {
  kind: "array";
  name: string;
  elemType: number;
  indexType: number;
  nelems: number;
}
export interface BtfMember {
  name: string;
  type: number;
  /** Offset in bits from the start of the struct. */
  bitOffset: number;
  /** Bitfield width; 0 for an ordinary member. Non-zero sets kind_flag. */
  bitfieldSize: number;
}
export interface BtfComposite {
  kind: "struct" | "union";
  name: string;
  size: number;
  members: BtfMember[];
}
export interface BtfEnum {
  kind: "enum" | "enum64";
  name: string;
  size: number;
  signed: boolean;
  values: { name: string; value: bigint }[];
}
export interface BtfFwd {
  kind: "fwd";
  name: string;
  union: boolean;
}
export interface BtfFunc {
  kind: "func";
  name: string;
  /** A FUNC_PROTO id. */
  type: number;
  linkage: Linkage;
}
export interface BtfParam {
  /** The kernel refuses an unnamed parameter in a FUNC's prototype. */
  name: string;
  type: number;
}
export interface BtfFuncProto {
  kind: "func_proto";
  name: string;
  returnType: number;
  params: BtfParam[];
}
export interface BtfVar {
  kind: "var";
  name: string;
  type: number;
  linkage: Linkage;
}
export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}
export interface BtfDatasec {
  kind: "datasec";
  name: string;
  size: number;
  vars: BtfVarSecinfo[];
}
export interface BtfFloat {
  kind: "float";
  name: string;
  size: number;
}
export interface BtfDeclTag {
  kind: "decl_tag";
  name: string;
  type: number;
  /** -1 for the declaration itself, else the member/parameter index. */
  componentIdx: number;
}

export type BtfType =
  | BtfInt
  | BtfRef
  | BtfArray
  | BtfComposite
  | BtfEnum
  | BtfFwd
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag;

/** A parsed or built type list: `types[id]`, with `types[0]` standing for void. */
export type BtfTypeList = readonly (BtfType | undefined)[];

export const BTF_MAGIC = 0xeb9f;
export const BTF_HEADER_LEN = 24;
/** Bytes of struct btf_type, before kind-specific data. */
export const BTF_TYPE_LEN = 12;

export class BtfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BtfError";
  }
}
