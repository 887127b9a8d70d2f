// Calls that need more than an integer argument list: kfuncs (a `call`
// relocated against a `.ksyms` extern, prototype from the KFUNCS table so
// libbpf matches it with the kernel's BTF), and helpers that take a callback
// (bpf_loop, bpf_for_each_map_elem): the callback is a top-level function
// whose address is an `lddw` with src FUNC, emitted in `.text`.

import { type CallExpression, type Expression, Node, SyntaxKind } from "../frontend/ts-morph.js";
import type { KfuncSpec, TypeRef } from "../../bpf/elf/object-spec.js";
import { HELPERS as HELPER_TABLE } from "../../stdlib/generated/data/helpers.js";
import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import { intTypeOfNode } from "../types/annotations.js";
import { HELPERS, helperAllowed } from "../types/kernel-facts.js";
import { I64, U64 } from "../types/int-type.js";
import type { Operand } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert } from "./lower-arith.js";
import { type Lowering, type Value, declarationOf } from "./lower-context.js";
import { lowerExpr, lowerInt } from "./lower-expr.js";
import { mapReceiver } from "./lower-maps.js";

const KFUNC_BY_NAME = new Map(KFUNCS.map((k) => [k.name, k]));
const CALLBACK_HELPERS = new Set(
  HELPER_TABLE.filter((h) =>
    h.prototypes.some((p) => p.params.some((x) => x.kind === "callback")),
  ).map((h) => h.name),
);

export function isKfunc(name: string): boolean {
  return KFUNC_BY_NAME.has(name);
}
export function isCallbackHelper(name: string): boolean {
  return CALLBACK_HELPERS.has(name);
}

/** One argument by its declared kind: integers converted, pointers/views by register. */
function argument(
  L: Lowering,
  e: Expression,
  kind: string,
  typeNode: Node | undefined,
): Operand | undefined {
  if (kind === "ignored" || kind === "progAux") return imm(0);
  if (e.getKind() === SyntaxKind.NullKeyword) return imm(0);
  const want = intTypeOfNode(typeNode as import("ts-morph").TypeNode | undefined);
  if (want && kind !== "map") {
    const v = lowerInt(L, e);
    return v ? convert(L, v, want, e, false).op : undefined;
  }
  if (kind === "map") {
    const m = mapReceiver(L, e);
    if (m) return reg(m.reg);
  }
  if (kind === "callback") {
    const decl = Node.isIdentifier(e) ? declarationOf(e) : undefined;
    const fn = decl && L.module.localFunctions.get(decl);
    if (!fn) {
      L.report("TSB5010", e, [e.getText()]);
      return undefined;
    }
    L.calls.push({ callee: fn, node: e });
    const r = L.b.vreg(true);
    L.b.emit({ op: "ldaddr", dst: r, reloc: "func", symbol: fn });
    return reg(r);
  }
  const v = lowerExpr(L, e);
  if (v.kind === "header" || v.kind === "ctx") return reg(v.reg);
  if (v.kind === "int") return v.op;
  return undefined;
}

function lowerArgs(L: Lowering, call: CallExpression, kinds: string[]): Operand[] | undefined {
  const decl = declarationOf(call.getExpression());
  const params = decl && Node.isFunctionDeclaration(decl) ? decl.getParameters() : [];
  const args = call.getArguments() as Expression[];
  const out: Operand[] = [];
  for (let k = 0; k < kinds.length; k++) {
    const a = args[k];
    if (!a) {
      out.push(imm(0));
      continue;
    }
    const op = argument(L, a, kinds[k]!, params[k]?.getTypeNode());
    if (!op) return undefined;
    out.push(op);
  }
  return out;
}

function returnValue(call: CallExpression, dst: number): Value {
  const decl = declarationOf(call.getExpression());
  const ret =
    decl && Node.isFunctionDeclaration(decl) ? intTypeOfNode(decl.getReturnTypeNode()) : undefined;
  return { kind: "int", op: reg(dst), type: ret ?? I64, temp: true };
}

export function lowerKfuncCall(L: Lowering, call: CallExpression, name: string): Value {
  const k = KFUNC_BY_NAME.get(name)!;
  // The seeds list kfuncs for xdp and lwt only; tc and cgroup_skb are not refused here.
  const seeded = L.kind === "xdp" || L.kind?.startsWith("lwt");
  if (L.kind && seeded && !k.progTypes.some((t) => L.kind!.startsWith(t)))
    return L.report("TSB3004", call.getExpression(), [name, L.kind]);
  const args = lowerArgs(
    L,
    call,
    k.params.map((p) => p.kind),
  );
  if (!args) return { kind: "error" };
  L.module.data?.kfuncs.add(name);
  const dst = L.b.vreg(k.ret.ctype.includes("*"));
  L.b.emit({ op: "callkfunc", fn: name, args, dst });
  return returnValue(call, dst);
}

export function lowerCallbackHelper(L: Lowering, call: CallExpression, name: string): Value {
  const h = HELPER_TABLE.find((x) => x.name === name)!;
  const fact = HELPERS.get(name)!;
  if (L.kind && !helperAllowed(fact, L.kind))
    return L.report("TSB3004", call.getExpression(), [name, L.kind]);
  const args = lowerArgs(
    L,
    call,
    h.prototypes[0]!.params.map((p) => p.kind),
  );
  if (!args) return { kind: "error" };
  const dst = L.b.vreg();
  L.b.emit({ op: "call", helper: h.id, args, dst });
  return returnValue(call, dst);
}

/** BTF of a C type spelled as in the KFUNCS table ("struct xdp_md *", "u32", "int"). */
function ctypeRef(ctype: string): TypeRef {
  const t = ctype.replace(/\bconst\b/g, "").trim();
  if (t === "void") return "void";
  const ptr = /^(struct\s+)?(\w+)\s*\*$/.exec(t);
  if (ptr) {
    const name = ptr[2]!;
    if (name === "void" || name === "char") return "void *";
    if (ptr[1]) return (b) => b.ptr(b.struct(name, 0, []));
    const target = ctypeRef(name);
    return (b) => b.ptr(resolveRef(b, target));
  }
  const ints: Record<string, [number, boolean]> = {
    int: [4, true],
    u32: [4, false],
    __u32: [4, false],
    u64: [8, false],
    __u64: [8, false],
    s64: [8, true],
    u16: [2, false],
    u8: [1, false],
    bool: [1, false],
    long: [8, true],
  };
  const [size, signed] = ints[t] ?? [8, false];
  if (!signed) return size;
  return (b) => b.int(size === 4 ? "int" : "long", size, 1);
}

function resolveRef(b: import("../../bpf/btf/builder.js").BtfBuilder, r: TypeRef): number {
  if (typeof r === "function") return r(b);
  if (typeof r === "number") return b.int(r === 4 ? "unsigned int" : "unsigned long long", r);
  return r === "void" ? 0 : b.ptr(0);
}

/** The writer's extern declarations for the kfuncs a module calls. */
export function kfuncSpecs(names: Iterable<string>): KfuncSpec[] {
  return [...names].sort().map((n) => {
    const k = KFUNC_BY_NAME.get(n)!;
    return {
      name: n,
      ret: ctypeRef(k.ret.ctype),
      params: k.params.map((p) => ({ name: p.name, type: ctypeRef(p.ctype) })),
    };
  });
}

void U64;
