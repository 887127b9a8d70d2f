// Stage: emit. Runs the back end (optimize, legalize, allocate, select) on
// every IR function and hands the result to the ELF writer (bpf/elf) as an
// ObjectSpec: programs in their sections, subprograms in `.text` (static,
// reached through call relocations), BTF FUNC per function and line info
// from each instruction's TypeScript source position.

import { writeObject, type ObjectSpec } from "../../bpf/elf/index.js";
import type { Instruction } from "../../bpf/isa/index.js";
import type { DiagnosticBag } from "../diagnostics/diagnostic.js";
import type { IrFunction } from "../ir/ir.js";
import { reachableBlocks } from "../ir/ir.js";
import type { IrModule } from "../ir/lower-module.js";
import { legalize } from "../isel/legalize.js";
import { selectInstructions } from "../isel/select.js";
import { addressStackFromR10 } from "../isel/frame-peephole.js";
import { optimize } from "../opt/index.js";
import { inlineSmallFunctions } from "../opt/inline.js";
import { allocateRegisters } from "../regalloc/linear-scan.js";
import { packStackFrame } from "../regalloc/stack-slots.js";
import { dataSpecs } from "./maps.js";
import { checkCallChainStacks } from "./stack-chain.js";

export interface CompiledFunction {
  name: string;
  insns: Instruction[];
  frameSize: number;
}

export interface CompiledModule {
  license: string;
  programs: (CompiledFunction & { section: string })[];
  subprograms: CompiledFunction[];
  /** Maps, globals and kfunc externs (emit/maps.ts). */
  data?: ReturnType<typeof dataSpecs>;
}

const MAX_STACK = 512;

export function compileFunction(f: IrFunction, diags: DiagnosticBag): CompiledFunction {
  optimize(f);
  legalize(f);
  const alloc = allocateRegisters(f, f.frameSize);
  alloc.frameSize = packStackFrame(f, alloc.frameSize);
  const sel = selectInstructions(f, alloc, reachableBlocks(f));
  if (sel.frameSize > MAX_STACK && f.source) {
    const s = f.source;
    diags.add({
      code: "TSB4004",
      severity: "error",
      message: `the stack of '${f.name}' needs ${sel.frameSize} bytes; BPF allows 512`,
      hint: "move large data into a per-CPU array map",
      file: s.file,
      line: s.line,
      column: s.column,
      length: 1,
      lineText: s.text,
    });
  }
  return { name: f.name, insns: addressStackFromR10(sel.insns), frameSize: sel.frameSize };
}

export function backEnd(mod: IrModule, diags: DiagnosticBag): CompiledModule {
  inlineSmallFunctions(mod);
  const programs = mod.programs.map((p) => ({
    ...compileFunction(p.fn, diags),
    section: p.section,
  }));
  const subprograms = mod.functions.map((f) => compileFunction(f, diags));
  checkCallChainStacks(programs, subprograms, diags);
  return { license: mod.license, programs, subprograms, data: dataSpecs(mod.data) };
}

export function toObjectSpec(m: CompiledModule): ObjectSpec {
  return {
    license: m.license,
    programs: m.programs.map((p) => ({
      name: p.name,
      section: p.section,
      insns: p.insns,
      params: [{ name: "ctx", type: "void *" }],
    })),
    subprograms: m.subprograms.map((s) => ({ name: s.name, insns: s.insns, global: false })),
    ...m.data,
  };
}

export function writeElf(m: CompiledModule): Uint8Array {
  return writeObject(toObjectSpec(m));
}
