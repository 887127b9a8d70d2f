// C types of helper and kfunc prototypes -> TypeScript types of the stdlib typings.
// Integer types map to the width-carrying aliases (u32, i64, be16...) by name, because the
// compiler reads widths from alias names; pointers become Ptr<...>, kernel objects
// Ptr<Struct<"name">>. Used by scripts/gen-stdlib.ts.

const SCALARS: Record<string, string> = {
  u8: "u8",
  __u8: "u8",
  char: "i8",
  s8: "i8",
  u16: "u16",
  __u16: "u16",
  s16: "i16",
  __sum16: "u16",
  u32: "u32",
  __u32: "u32",
  "unsigned int": "u32",
  __wsum: "u32",
  s32: "i32",
  int: "i32",
  u64: "u64",
  __u64: "u64",
  "unsigned long": "u64",
  "long unsigned int": "u64",
  size_t: "u64",
  s64: "i64",
  long: "i64",
  "long int": "i64",
  __be16: "be16",
  __be32: "be32",
  __be64: "be64",
  bool: "bool",
};

export interface CParam {
  name: string;
  ctype: string;
  kind: string;
  nullable?: boolean;
}

/** `const struct task_struct *` -> `task_struct`; `u32 *` -> `u32`. */
function pointee(ctype: string): string {
  return ctype
    .replace(/^const /, "")
    .replace(/\s*\*$/, "")
    .replace(/^(struct|union|enum) /, "")
    .trim();
}

export function scalarType(ctype: string): string {
  const t = ctype.replace(/^const /, "").trim();
  if (t.startsWith("enum ")) return "u32";
  const s = SCALARS[t];
  if (!s) throw new Error(`no scalar alias for C type '${ctype}'`);
  return s;
}

export function pointerType(ctype: string): string {
  const p = pointee(ctype);
  if (p === "void" || p === "fn") return "Ptr";
  if (SCALARS[p]) return `Ptr<${SCALARS[p]}>`;
  if (p.includes("*")) return "Ptr";
  return `Ptr<Struct<"${p}">>`;
}

const CTX: Record<string, string> = {
  sk_buff: "SkbContext",
  __sk_buff: "SkbContext",
  xdp_buff: "AnyXdpContext",
  xdp_md: "AnyXdpContext",
};

export function paramType(p: CParam): string {
  const orNull = p.nullable ? " | null" : "";
  switch (p.kind) {
    case "scalar":
    case "size":
    case "const":
      return scalarType(p.ctype);
    case "ctx":
      // `void *ctx` takes any program context; `const void *skb` (the
      // manual's name for socket-buffer-only helpers) takes an skb context.
      if (pointee(p.ctype) === "void") return p.name === "skb" ? "SkbContext" : "AnyContext";
      return CTX[pointee(p.ctype)] ?? pointerType(p.ctype);
    case "map":
      return "BpfMap" + orNull;
    case "callback":
      return "Callback";
    case "string":
      return "CStr";
    case "varargs":
      return "u64[]";
    case "ignored":
    case "progAux":
      return "Ptr | null";
    default:
      return pointerType(p.ctype) + orNull;
  }
}

export function returnType(ctype: string, nullable: boolean): string {
  if (ctype === "void") return "void";
  if (!ctype.endsWith("*")) return scalarType(ctype);
  return pointerType(ctype) + (nullable ? " | null" : "");
}

const RESERVED = new Set(["in", "function", "delete", "new", "default", "var", "class", "this"]);
export const tsName = (n: string) => (RESERVED.has(n) ? `${n}_` : n);

/** Text inside a JSDoc block must not close it. */
export function jsdoc(lines: string[], indent = ""): string {
  const body = lines
    .join("\n")
    .replace(/\*\//g, "*\\/")
    .split("\n")
    .map((l) => (l ? `${indent} * ${l}` : `${indent} *`));
  return [`${indent}/**`, ...body, `${indent} */`].join("\n");
}
