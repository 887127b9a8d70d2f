// The compiler's library entry, called by the CLI and by tests:
// compile(files) -> { object, diagnostics }. Stages in order: front end
// (TypeScript program, TypeScript's diagnostics, the subset walk), lowering to
// IR (types, packet/context checks), then the back end (optimize, register
// allocation, instruction selection) and the ELF writer. User errors are
// diagnostics; an unexpected exception becomes "internal compiler error",
// never a stack trace.

import { DiagnosticBag, type Diagnostic, formatDiagnostic } from "./diagnostics/diagnostic.js";
import {
  createProject,
  findStdlib,
  type FrontendResult,
  type SourceInput,
} from "./frontend/project.js";
import { MAX_NESTING, scanNesting } from "./frontend/limits.js";
import type { CompiledModule } from "./emit/object.js";
import { PhaseTimes } from "./phase-times.js";
import { compileProject } from "./pipeline.js";

export type { Diagnostic } from "./diagnostics/diagnostic.js";
export type { SourceInput } from "./frontend/project.js";
export type { CompiledModule } from "./emit/object.js";
export { formatDiagnostic };

export interface CompileOptions {
  /** Path of the stdlib's index.d.ts (default: the package's own stdlib). */
  stdlib?: string;
  /** Stop after the checks (no object). */
  checkOnly?: boolean;
}

export interface CompileResult {
  object: Uint8Array | undefined;
  diagnostics: Diagnostic[];
  /** The selected instructions, for golden tests and the disassembler. */
  module?: CompiledModule;
}

export function compile(
  input: SourceInput | SourceInput[],
  options: CompileOptions = {},
): CompileResult {
  const inputs = Array.isArray(input) ? input : [input];
  const times = new PhaseTimes(inputs.map((i) => i.fileName).join(" "));
  try {
    return compileTimed(inputs, options, times);
  } finally {
    times.print();
  }
}

function compileTimed(
  inputs: SourceInput[],
  options: CompileOptions,
  times: PhaseTimes,
): CompileResult {
  const bag = new DiagnosticBag();
  const stage = { name: "front end", file: inputs[0]?.fileName ?? "<input>" };
  let fe: FrontendResult | undefined;
  try {
    const stdlib = findStdlib(options.stdlib);
    if (!stdlib) {
      bag.report("TSB9001", { file: stage.file, text: "", start: 0, end: 0 }, [
        "the tsbpf stdlib (stdlib/index.d.ts) was not found",
      ]);
      return { object: undefined, diagnostics: bag.items };
    }
    // Limits first: everything after this point recurses per nesting level.
    for (const input of inputs) {
      const found = scanNesting(input.text);
      if (found) {
        bag.report(found.code, { file: input.fileName, text: input.text, ...found }, found.args);
        return { object: undefined, diagnostics: bag.items };
      }
    }
    try {
      fe = createProject(inputs, stdlib);
      times.mark("program");
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      // Deep nesting without brackets (`a ? b : c ? ...`, `!!!...`) that the
      // parser could not take: no node to point at.
      const first = inputs[0] ?? { fileName: "<input>", text: "" };
      bag.report("TSB1601", { file: first.fileName, text: first.text, start: 0, end: 0 }, [
        "the source",
        `more than ${MAX_NESTING}`,
        MAX_NESTING,
      ]);
      return { object: undefined, diagnostics: bag.items };
    }
    return compileProject(fe, options, bag, stage, times);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    bag.report("TSB9001", { file: stage.file, text: "", start: 0, end: 0 }, [
      `${stage.name}: ${msg}`,
    ]);
    return { object: undefined, diagnostics: bag.items };
  }
}
