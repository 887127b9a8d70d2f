// bpf_printk("x=%d\n", x): bpf_trace_printk(fmt, fmt_size, a1, a2, a3) with
// the literal format copied to the stack (8-byte immediate stores, the NUL
// included, the slot padded with zeros so every byte the helper may read is
// initialized), r1 = its address, r2 = its size with the NUL, and at most
// three integer arguments widened to 64 bits (signed ones sign-extended, as
// the helper reads %d from the low 32 bits and %lld from all 64). The
// number of conversions in the format must match the arguments: the kernel
// checks the format too, but only at run time (it returns -EINVAL).

import { type CallExpression, type Expression, Node } from "../frontend/ts-morph.js";
import { HELPER_ID } from "../../stdlib/generated/data/helpers.js";
import { I64, U64 } from "../types/int-type.js";
import type { Operand } from "./ir.js";
import { imm, reg } from "./ir.js";
import { convert } from "./lower-arith.js";
import type { Lowering, Value } from "./lower-context.js";
import { lowerInt } from "./lower-expr.js";

/** Conversions bpf_trace_printk accepts: %d %i %u %x %X %c %s %p and l/ll forms; %% is literal. */
function conversions(fmt: string): number | string {
  let n = 0;
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== "%") continue;
    const m = /^%(%|[-+ #0]*\d*(?:l{0,2}|h{0,2}|z)[diuxXcsp])/.exec(fmt.slice(i));
    if (!m) return fmt.slice(i, i + 2);
    if (m[1] !== "%") n++;
    i += m[0].length - 1;
  }
  return n;
}

export function lowerPrintk(L: Lowering, call: CallExpression): Value {
  const [fmtNode, ...argNodes] = call.getArguments() as Expression[];
  if (!fmtNode || !(Node.isStringLiteral(fmtNode) || Node.isNoSubstitutionTemplateLiteral(fmtNode)))
    return L.report("TSB3012", fmtNode ?? call, ["the format must be a string literal"]);
  const fmt = fmtNode.getLiteralValue();
  const convs = conversions(fmt);
  if (typeof convs === "string")
    return L.report("TSB3012", fmtNode, [`'${convs}' is not a conversion bpf_trace_printk knows`]);
  if (argNodes.length > 3 || convs !== argNodes.length)
    return L.report("TSB3012", call, [
      `the format has ${convs} conversions for ${argNodes.length} arguments (at most 3)`,
    ]);
  const args: Operand[] = [];
  for (const a of argNodes) {
    const v = lowerInt(L, a);
    if (!v) return { kind: "error" };
    args.push(convert(L, v, v.type.signed ? I64 : U64, a, false).op);
  }
  const bytes = [...new TextEncoder().encode(fmt), 0];
  const slot = Math.ceil(bytes.length / 8) * 8;
  const ptr = L.b.vreg(true);
  L.b.emit({ op: "frame", dst: ptr, off: L.b.allocStack(slot, 8), nonNull: true });
  for (let i = 0; i < slot; i += 8) {
    let word = 0n;
    for (let k = 7; k >= 0; k--) word = (word << 8n) | BigInt(bytes[i + k] ?? 0);
    L.b.emit({ op: "store", size: 8, base: ptr, off: i, src: imm(word) });
  }
  const dst = L.b.vreg();
  const id = HELPER_ID["bpf_trace_printk"]!;
  L.b.emit({ op: "call", helper: id, args: [reg(ptr), imm(bytes.length), ...args], dst });
  return { kind: "int", op: reg(dst), type: I64, temp: true };
}
