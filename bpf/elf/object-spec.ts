// The input of `writeObject` (object-writer.ts): a whole BPF object
// described at the level a code generator thinks in. Nothing here is an
// ELF or BTF detail; the writer derives sections, symbols, relocations,
// `.BTF` and `.BTF.ext` from it, following OBJECT-FORMAT.md.
//
// How a code generator drives it:
//   writeObject({
//     license: "GPL",
//     programs: [{ name: "count", section: "xdp", insns: [
//       LoadMapPtr(Reg.R1, "counts"), ..., CallSymbol("helper"), ..., Exit() ] }],
//     subprograms: [{ name: "helper", insns: [...], global: false }],
//     maps: [{ name: "counts", type: 2 /* ARRAY */, maxEntries: 4, key: 4, value: 8 }],
//     globals: [{ name: "hits", section: ".bss", type: 8 }],
//     kfuncs: [{ name: "bpf_rcu_read_lock", params: [] }],
//   })
// - Instructions name what they use through `Instruction.reloc` (the
//   builders LoadMapPtr, LoadDataPtr, LoadFuncPtr, CallSymbol, CallKfunc set
//   it); the writer turns each into a `.rel` entry and the right imm.
// - Jumps inside one function use labels (`target`/`labels`); they are
//   resolved per function, on copies, so the caller's lists are not changed.
// - `Instruction.source` becomes line info; func_info is always written.
// - Types are `TypeRef`s: a byte count for an unsigned integer of that size,
//   "void" / "void *", or a function that adds the type to the object's
//   BtfBuilder and returns its id (for structs, or types imported from
//   another object with `importType`).

import type { BtfBuilder } from "../btf/builder.js";
import type { Instruction } from "../isa/index.js";

export type TypeRef = number | "void" | "void *" | ((btf: BtfBuilder) => number);

export interface ParamSpec {
  /** Required: the kernel refuses unnamed parameters. */
  name: string;
  type: TypeRef;
}

export interface FunctionSignature {
  /** Default: `int`. */
  ret?: TypeRef;
  /** Default for programs: `(void *ctx)`; for subprograms: none. */
  params?: ParamSpec[];
}

export interface ProgramSpec extends FunctionSignature {
  /** The function's symbol and BTF name. */
  name: string;
  /** ELF section, e.g. "xdp" or "lwt_xmit" (libbpf's names pick the type for bpftool). */
  section: string;
  insns: readonly Instruction[];
}

export interface SubprogramSpec extends FunctionSignature {
  name: string;
  insns: readonly Instruction[];
  /** GLOBAL: verified on its own by the kernel (needs typed params). Default static. */
  global?: boolean;
}

export interface MapSpec {
  name: string;
  /** BPF_MAP_TYPE_* number. */
  type: number;
  maxEntries: number;
  flags?: number;
  /** 1 = pin by name (ip pins under /sys/fs/bpf/tc/globals). */
  pinning?: number;
  numaNode?: number;
  mapExtra?: number;
  /** Key/value as BTF types (bpftool can pretty-print them)... */
  key?: TypeRef;
  value?: TypeRef;
  /** ...or as bare sizes (`__uint(key_size, n)`). */
  keySize?: number;
  valueSize?: number;
  /** Map-in-map: the inner map's definition (its name is not used). */
  innerMap?: Omit<MapSpec, "name" | "innerMap">;
}

/** `.bss`, `.data`, `.rodata`, or one of them with a suffix (`.rodata.cst8`): libbpf makes one array map per section. */
export type GlobalSectionName =
  ".bss" | ".data" | ".rodata" | `.${"bss" | "data" | "rodata"}.${string}`;

export interface GlobalSpec {
  name: string;
  section: GlobalSectionName;
  type: TypeRef;
  /** Initial bytes (`.data`/`.rodata` only); zeros when absent. */
  init?: Uint8Array;
  /** Byte offset in the section; default: the next naturally aligned one. */
  offset?: number;
}

export interface KfuncSpec {
  name: string;
  /** Default "void". */
  ret?: TypeRef;
  /** Must match the kernel's prototype in count and kind; all named. */
  params: ParamSpec[];
}

export interface ObjectSpec {
  license: string;
  programs: ProgramSpec[];
  subprograms?: SubprogramSpec[];
  maps?: MapSpec[];
  globals?: GlobalSpec[];
  kfuncs?: KfuncSpec[];
  /**
   * Pre-filled BTF (e.g. types imported from another object), used by
   * function TypeRefs; the writer adds its own types after these.
   */
  btf?: BtfBuilder;
}
