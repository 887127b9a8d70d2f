// The verifier's limit on a whole BPF-to-BPF call chain (TSB4007). Each
// function's own frame is checked against 512 bytes in emit/object.ts
// (TSB4004), but the kernel also adds up the frames along every chain of
// calls that stayed calls (compiler/opt/inline.ts inlines the rest) and
// refuses the program when a chain passes 512 bytes: "combined stack size
// of N calls is M. Too large" (check_max_stack_depth in kernel/bpf/verifier.c).
//
// Like the kernel, each frame is rounded up first: with the JIT (always on
// for x86-64 and arm64; round_up_stack_depth) to 16 bytes. Without the JIT
// the kernel rounds to 32 and counts an empty frame as 32; we follow the
// JIT, the configuration programs run under. A callback whose address is
// taken (bpf_loop, bpf_for_each_map_elem) runs on top of the function that
// takes it, so the kernel counts it as a call; a timer callback runs on its
// own stack and does not add to the chain ("async callbacks don't increase
// bpf prog stack size"). Our frame size is the compiler's frame, an upper
// bound of the depth the verifier sees touched.

import type { Instruction, SourcePos } from "../../bpf/isa/instruction.js";
import { CallSrc, OP_CALL } from "../../bpf/isa/opcodes.js";
import { type DiagnosticBag, diagnosticAtPosition } from "../diagnostics/diagnostic.js";

const MAX_CHAIN_STACK = 512;
/** bpf_timer_set_callback: its callback runs asynchronously, on a stack of its own. */
const TIMER_SET_CALLBACK = 170;

interface Frame {
  name: string;
  insns: readonly Instruction[];
  frameSize: number;
}

interface Edge {
  callee: string;
  source: SourcePos | undefined;
}

/** round_up_stack_depth with the JIT. */
export const roundedFrame = (bytes: number): number => Math.ceil(bytes / 16) * 16;

const isHelperCall = (i: Instruction, id?: number): boolean =>
  i.opcode === OP_CALL && i.src === CallSrc.HELPER && (id === undefined || i.imm === id);

/** Functions a frame's code calls, or whose address it takes for a callback run on its stack. */
function callEdges(insns: readonly Instruction[]): Edge[] {
  const out: Edge[] = [];
  // A call does not always carry a position of its own; the instructions that set up its
  // arguments come from the same statement.
  const sourceAt = (k: number) =>
    insns
      .slice(0, k + 1)
      .reverse()
      .find((i) => i.source)?.source ?? insns.find((i) => i.source)?.source;
  insns.forEach((insn, k) => {
    if (insn.reloc?.kind === "call") out.push({ callee: insn.reloc.symbol, source: sourceAt(k) });
    if (insn.reloc?.kind !== "func") return;
    // The callback's address is an argument of the next helper call (lower-kfunc.ts).
    const helper = insns.slice(k + 1).find((i) => isHelperCall(i));
    if (helper && isHelperCall(helper, TIMER_SET_CALLBACK)) return;
    out.push({ callee: insn.reloc.symbol, source: sourceAt(k) });
  });
  return out;
}

interface Chain {
  /** Rounded bytes of the whole chain. */
  bytes: number;
  /** The functions after the first one, each with the call that reaches it. */
  path: { fn: Frame; via: Edge }[];
}

/**
 * Report every entry program one of whose call chains needs more than 512
 * bytes of stack, at the first call of its deepest chain. Chains that pass
 * through a frame over 512 bytes on its own are left to TSB4004.
 */
export function checkCallChainStacks(
  programs: readonly Frame[],
  subprograms: readonly Frame[],
  diags: DiagnosticBag,
): void {
  const byName = new Map<string, Frame>(subprograms.map((f) => [f.name, f]));
  const deepest = new Map<string, Chain>();
  // Recursion was refused in lowering (TSB4002); `open` only keeps a bad module from looping.
  const open = new Set<string>();
  const deepestFrom = (f: Frame): Chain => {
    const known = deepest.get(f.name);
    if (known) return known;
    open.add(f.name);
    let best: Chain = { bytes: 0, path: [] };
    for (const via of callEdges(f.insns)) {
      const callee = byName.get(via.callee);
      if (!callee || open.has(callee.name)) continue;
      const below = deepestFrom(callee);
      if (below.bytes > best.bytes)
        best = { bytes: below.bytes, path: [{ fn: callee, via }, ...below.path] };
    }
    open.delete(f.name);
    const chain = { bytes: roundedFrame(f.frameSize) + best.bytes, path: best.path };
    deepest.set(f.name, chain);
    return chain;
  };

  for (const prog of programs) {
    const chain = deepestFrom(prog);
    const frames = [prog, ...chain.path.map((p) => p.fn)];
    if (chain.bytes <= MAX_CHAIN_STACK || chain.path.length === 0) continue;
    if (frames.some((f) => f.frameSize > MAX_CHAIN_STACK)) continue;
    const at = chain.path[0]!.via.source;
    if (!at) continue;
    const names = frames.map((f) => `'${f.name}'`);
    const sizes = frames
      .map((f) => {
        const r = roundedFrame(f.frameSize);
        return `'${f.name}' ${r}` + (r === f.frameSize ? "" : ` (from ${f.frameSize})`);
      })
      .join(" + ");
    const inlinable = names.slice(1).join(" or ");
    const args = [names.join(" -> "), chain.bytes, sizes, inlinable];
    diags.add(diagnosticAtPosition("TSB4007", at, args));
  }
}
