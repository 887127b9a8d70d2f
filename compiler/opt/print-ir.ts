// A readable listing of one IR function, for debugging the optimizer:
// `TSBPF_DUMP_IR=1 tsbpf build x.ts` prints every function after optimize().

import type { Block, IrFunction, IrInsn, Operand, Terminator } from "../ir/ir.js";
import { reachableBlocks } from "../ir/ir.js";

const op = (o: Operand): string => (o.kind === "reg" ? `v${o.reg}` : `${o.value}`);

function insnText(i: IrInsn): string {
  switch (i.op) {
    case "mov":
      return `v${i.dst} =${i.w} ${op(i.src)}${i.zext ? " (zext)" : ""}`;
    case "alu":
      return `v${i.dst} =${i.w} v${i.a} ${i.alu} ${op(i.b)}`;
    case "neg":
      return `v${i.dst} =${i.w} -v${i.a}`;
    case "movsx":
      return `v${i.dst} =${i.w} sext${i.bits} v${i.src}`;
    case "swap":
      return `v${i.dst} = bswap${i.bits} v${i.src}`;
    case "load":
      return `v${i.dst} = *(u${i.size * 8} *)(v${i.base} + ${i.off})`;
    case "store":
      return `*(u${i.size * 8} *)(v${i.base} + ${i.off}) = ${op(i.src)}`;
    case "frame":
      return `v${i.dst} = fp + ${i.off}`;
    case "call":
      return `${i.dst !== undefined ? `v${i.dst} = ` : ""}call #${i.helper}(${i.args.map(op).join(", ")})`;
    case "calllocal":
    case "callkfunc":
      return `${i.dst !== undefined ? `v${i.dst} = ` : ""}${i.op} ${i.fn}(${i.args.map(op).join(", ")})`;
    case "ldaddr":
      return `v${i.dst} = &${i.reloc}:${i.symbol}`;
    case "atomic":
      return `atomic ${i.aop} *(u${i.size * 8} *)(v${i.base} + ${i.off}), v${i.src}`;
    case "reload":
      return `v${i.dst} = reload ${i.off}`;
    case "spill":
      return `spill ${i.off} = v${i.src}`;
  }
}

function termText(t: Terminator): string {
  if (t.op === "jmp") return `jmp b${t.target.id}`;
  if (t.op === "ret") return `ret ${op(t.value)}`;
  return `br${t.w} v${t.a} ${t.cond} ${op(t.b)} ? b${t.then.id} : b${t.else.id}`;
}

export function printIr(f: IrFunction): string {
  const lines = [`function ${f.name}(${f.params.map((p) => `v${p}`).join(", ")})`];
  const block = (b: Block) => {
    lines.push(`b${b.id}:`);
    for (const i of b.insns) lines.push(`  ${insnText(i)}${i.nonNull ? "  ; nonnull" : ""}`);
    lines.push(`  ${termText(b.term)}`);
  };
  reachableBlocks(f).forEach(block);
  lines.push(`pointers: ${[...f.pointers].map((p) => `v${p}`).join(" ")}`);
  return lines.join("\n");
}
