// The one table of tsbpf diagnostics: code -> message template and hint.
// Codes are grouped in ranges per pipeline stage so a code says where it was
// raised:
//   TSB1xxx  front end: TypeScript's own errors and the subset whitelist
//   TSB2xxx  types: integer widths, signedness, narrowing, byte order
//   TSB3xxx  programs, context and packet access, helpers (safety checks)
//   TSB4xxx  lowering limits: loops, calls, recursion, stack
//   TSB9xxx  internal compiler errors
// Templates use {0}, {1}... for arguments.

export interface DiagnosticTemplate {
  message: string;
  /** What to write instead, shown under the code frame. */
  hint?: string;
}

export const DIAGNOSTICS = {
  // --- front end -----------------------------------------------------------
  TSB1000: { message: "{0}" }, // a TypeScript checker error, passed through
  TSB1001: {
    message: "{0} are not supported by tsbpf",
    hint: "{1}",
  },
  TSB1002: {
    message: "'{0}' is not available in BPF programs",
    hint: 'only the stdlib imported from "tsbpf" and your own functions can be called',
  },
  TSB1003: {
    message: "the type 'any' is not allowed",
    hint: "give the value an integer type such as u32, or a header/struct interface",
  },
  TSB1004: {
    message: 'imports are only allowed from "tsbpf"',
    hint: 'import { xdp, ... } from "tsbpf"',
  },
  TSB1005: {
    message: "'{0}' at module level is not supported",
    hint: "declare programs with `export const name = xdp((ctx) => ...)`, helpers as functions, constants with `const`",
  },
  TSB1006: {
    message: "strings are only allowed as literals passed to the stdlib",
    hint: "use integers; bpf_printk takes a literal format string",
  },
  TSB1007: {
    message: "the operator '{0}' is not supported",
    hint: "{1}",
  },
  TSB1008: {
    message: "'{0}' is not a program declarator",
    hint: "export programs as `export const name = xdp((ctx) => ...)` (or lwtXmit, lwtIn, lwtOut, tc, cgroupSkb)",
  },
  TSB1009: {
    message: "exported functions are not programs",
    hint: "write `export const {0} = xdp((ctx) => ...)`; keep helper functions unexported",
  },
  TSB1010: {
    message: "a program must be an arrow function or function expression with one parameter",
  },
  TSB1011: {
    message: "destructuring is not supported",
    hint: "read fields one by one: `const x = obj.x;`",
  },
  TSB1012: {
    message: "'{0}' is not supported here",
    hint: "{1}",
  },
  // --- types ---------------------------------------------------------------
  TSB2001: {
    message: "implicit conversion from {0} to {1} may lose bits",
    hint: "narrow explicitly with `as {1}`",
  },
  TSB2002: {
    message: "cannot mix {0} and {1} in one operation",
    hint: "cast one side with `as` so both have the same signedness",
  },
  TSB2003: {
    message: "the literal {0} does not fit in {1}",
    hint: "use a wider type or a smaller value",
  },
  TSB2004: {
    message: "cannot mix network byte order ({0}) with host byte order ({1})",
    hint: "convert with ntohs/ntohl (or htons/htonl) first",
  },
  TSB2005: {
    message: "'{0}' is not an integer type",
    hint: "use u8, u16, u32, u64, i8, i16, i32, i64, be16, be32 or bool",
  },
  TSB2006: {
    message: "shift by {0} is out of range for a {1}-bit value",
  },
  TSB2007: {
    message: "division by the constant zero",
  },
  TSB2008: {
    message: "'{0}' has no integer value here",
    hint: "{1}",
  },
  // --- programs, context, packets, helpers -----------------------------------
  TSB3001: {
    message: "'{0}' is not a field of the {1} context",
  },
  TSB3002: {
    message: "the context field '{0}' is read-only for {1} programs",
  },
  TSB3003: {
    message: "packet data accessed without a bounds check",
    hint: "check for null first: `if (!hdr) return ...;` (ctx.header<T>() returns T | null)",
  },
  TSB3004: {
    message: "the helper '{0}' is not allowed in {1} programs",
  },
  TSB3005: {
    message: "'{0}' is not a known helper",
  },
  TSB3006: {
    message: "the packet offset must be provably bounded",
    hint: "bound it with a mask, e.g. `(x & 0x3f)`, or compare it against a constant first",
  },
  TSB3007: {
    message: "the interface '{0}' cannot be laid out: field '{1}' has no fixed size",
    hint: "header fields must be u8..u64, i8..i64, be16, be32 or fixed arrays of them",
  },
  TSB3008: {
    message: "the return value of a program must be an integer",
  },
  TSB3009: {
    message: "program option '{0}' is not supported",
  },
  TSB3010: {
    message: "the header view '{0}' is used after '{1}', which may move the packet",
    hint: "take a fresh view with ctx.header<T>() after the call",
  },
  TSB3011: {
    message: "{0} is GPL-only, and the license '{1}' is not GPL-compatible",
    hint: 'the kernel refuses it at load time; declare a GPL-compatible license, e.g. `export const license = "Dual MIT/GPL";`',
  },
  TSB3012: {
    message: "bpf_printk: {0}",
    hint: 'write bpf_printk("x=%d y=%u\\n", x, y) with a literal format and one argument per conversion, at most three',
  },
  TSB3013: {
    message: "the index into '{0}' must be a known value from 0 to {1} on every path",
    hint: "index with the counter of a loop with a constant bound (`for (let i = 0; i < {2}; i++)`) or with a constant: the verifier takes a variable index only where it knows the exact value",
  },
  TSB3014: {
    message: "ctx.meta<T>() reads data_meta, which {0} programs may not read",
    hint: "XDP metadata reaches tc programs only (the kernel refuses data_meta elsewhere); in {0} programs carry the value in skb.mark",
  },
  // --- limits -------------------------------------------------------------
  TSB4001: {
    message: "this loop has no bound the compiler can see",
    hint: "write `for (let i = 0; i < N; i++)` with a constant N, or use bpf_loop",
  },
  TSB4002: {
    message: "recursion is not allowed: {0}",
    hint: "BPF has no recursion; rewrite as a bounded loop",
  },
  TSB4003: {
    message: "'{0}' takes {1} parameters; BPF functions take at most five",
    hint: "pass a struct instead of many scalars",
  },
  TSB4004: {
    message: "the stack of '{0}' needs {1} bytes; BPF allows 512",
    hint: "move large data into a per-CPU array map",
  },
  TSB4005: {
    message: "not every path of '{0}' returns a value",
  },
  TSB4006: {
    message: "'{0}' is used before it is assigned",
  },
  TSB4007: {
    message:
      "the call chain {0} needs {1} bytes of stack ({2}; each frame rounded up to 16 bytes as the verifier does); BPF allows 512 for a whole chain",
    hint: "use fewer or smaller locals in these functions (move large data into a per-CPU array map), or make {3} small enough to be inlined (a function that is small or called once is inlined when the combined stack stays within 256 bytes)",
  },
  // --- maps, structs, atomics, kfuncs, global data (part 2) -------------------
  TSB5001: {
    message: "'{0}' is not a map class",
    hint: "declare maps with a class from tsbpf: HashMap, ArrayMap, PerCpuArray, LpmTrie, RingBuf, DevMap, ...",
  },
  TSB5002: {
    message: "'{0}' cannot be a map key or value",
    hint: "use an integer type or an interface whose fields are integers or fixed arrays of them",
  },
  TSB5003: {
    message: "the map option '{0}' is not supported",
    hint: 'write { maxEntries: N, flags?: F, pinning?: "byName", innerMap?: otherMap } with constant values',
  },
  TSB5004: {
    message: "the global variable '{0}' needs an integer or struct type",
    hint: "annotate it: `let {0}: u64 = 0;`",
  },
  TSB5005: {
    message: "global variables are initialized with a constant, not '{0}'",
    hint: "initialize with an integer constant (or nothing for zero) and assign in a program",
  },
  TSB5006: {
    message: "'{0}' is not a method of {1}",
    hint: "see the map classes in tsbpf (lookup, update, delete, push, pop, reserve, redirect, tailCall...)",
  },
  TSB5007: {
    message: "'{0}' cannot be passed by value here",
    hint: "pass an integer, a struct local, an object literal or a map value view",
  },
  TSB5008: {
    message: "'{0}' is not a 32- or 64-bit integer in memory that an atomic can update",
    hint: "pass a Ref from a map lookup, or addressOf(view.field) / addressOf(global) of a u32/u64",
  },
  TSB5009: {
    message: "{0}",
    hint: "{1}",
  },
  TSB5010: {
    message: "the callback '{0}' must be a top-level function",
    hint: "declare `function {0}(index: u64, ctx: u64): i64 { ... }` at module level and pass its name",
  },
  TSB5011: {
    message: "'{0}' has no fields, and a map key or value needs at least one byte",
    hint: "give the interface a field; a set of keys can use a u8 value (`HashMap<K, u8>`)",
  },
  // --- front end limits (compiler/frontend/limits.ts) ------------------------
  TSB1601: {
    message: "{0} nested too deeply: {1} levels, the limit is {2}",
    hint: "split it into locals (`const a = ...;`) or helper functions",
  },
  TSB1602: {
    message: "expression too long: {0} operands in one chain, the limit is {1}",
    hint: "split it into locals: `const a = x + y + ...; const b = a + ...;`",
  },
  TSB1603: {
    message: 'an import needs a module: write `import { xdp } from "tsbpf";`',
  },
  // --- internal ---------------------------------------------------------------
  TSB9001: {
    message: "internal compiler error: {0}",
    hint: "please report this with the source file",
  },
} satisfies Record<string, DiagnosticTemplate>;

export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** Fill a template's {n} slots. */
export function fillTemplate(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ""));
}
