// Prints a type list the way `bpftool btf dump file X.o` (bpftool 7.1)
// does, one type per line with members on tab-indented lines, so that the
// parser can be checked line for line against the independent tool.

import type { BtfType, BtfTypeList } from "./types.js";

const LINKAGE = ["static", "global", "extern"];
const INT_ENCODING: Record<number, string> = { 0: "(none)", 1: "SIGNED", 2: "CHAR", 4: "BOOL" };

const q = (name: string) => `'${name === "" ? "(anon)" : name}'`;

export function dumpType(types: BtfTypeList, id: number): string {
  const t = types[id];
  if (!t) return `[${id}] UNKNOWN`;
  const head = `[${id}] ${t.kind.toUpperCase()} ${q(t.name)}`;
  return `${head} ${body(types, t)}`;
}

function body(types: BtfTypeList, t: BtfType): string {
  switch (t.kind) {
    case "int":
      return (
        `size=${t.size} bits_offset=${t.bitOffset} nr_bits=${t.bits} ` +
        `encoding=${INT_ENCODING[t.encoding] ?? `0x${t.encoding.toString(16)}`}`
      );
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
      return `type_id=${t.type}`;
    case "array":
      return `type_id=${t.elemType} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
    case "struct":
    case "union":
      return (
        `size=${t.size} vlen=${t.members.length}` +
        t.members
          .map(
            (m) =>
              `\n\t${q(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}` +
              (m.bitfieldSize ? ` bitfield_size=${m.bitfieldSize}` : ""),
          )
          .join("")
      );
    case "enum":
    case "enum64":
      return (
        `encoding=${t.signed ? "SIGNED" : "UNSIGNED"} size=${t.size} vlen=${t.values.length}` +
        t.values.map((e) => `\n\t${q(e.name)} val=${e.value}`).join("")
      );
    case "fwd":
      return `fwd_kind=${t.union ? "union" : "struct"}`;
    case "func":
      return `type_id=${t.type} linkage=${LINKAGE[t.linkage] ?? t.linkage}`;
    case "func_proto":
      return (
        `ret_type_id=${t.returnType} vlen=${t.params.length}` +
        t.params.map((p) => `\n\t${q(p.name)} type_id=${p.type}`).join("")
      );
    case "var":
      return `type_id=${t.type}, linkage=${LINKAGE[t.linkage] ?? t.linkage}`;
    case "datasec":
      return (
        `size=${t.size} vlen=${t.vars.length}` +
        t.vars
          .map((s) => {
            const v = types[s.type];
            const what = v ? ` (${v.kind.toUpperCase()} ${q(v.name)})` : "";
            return `\n\ttype_id=${s.type} offset=${s.offset} size=${s.size}${what}`;
          })
          .join("")
      );
    case "float":
      return `size=${t.size}`;
    case "decl_tag":
      return `type_id=${t.type} component_idx=${t.componentIdx}`;
  }
}

/** The whole list, as bpftool prints it. */
export function dumpBtf(types: BtfTypeList): string {
  const lines: string[] = [];
  for (let id = 1; id < types.length; id++) lines.push(dumpType(types, id));
  return lines.join("\n") + "\n";
}
