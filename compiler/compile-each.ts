// compileEach(inputs): each input compiled on its own, as
// `inputs.map((i) => compile(i))` would, with the same results, for the
// CLI's `tsbpf build a.ts b.ts ...`. Inputs that can share one TypeScript
// program (frontend/shared-project.ts says when) are type-checked and
// lowered in it, which saves each one resolving the stdlib's declarations
// again. A shared result is kept only when it is clean (an object and no
// diagnostic at all); any input with something to report is compiled alone
// again, so its messages come from exactly the program compile() builds.

import { DiagnosticBag } from "./diagnostics/diagnostic.js";
import { findStdlib, type FrontendResult, type SourceInput } from "./frontend/project.js";
import { sharedFrontends } from "./frontend/shared-project.js";
import { compile, type CompileOptions, type CompileResult } from "./index.js";
import { PhaseTimes } from "./phase-times.js";
import { compileProject } from "./pipeline.js";

export function compileEach(
  inputs: readonly SourceInput[],
  options: CompileOptions = {},
): CompileResult[] {
  const stdlib = findStdlib(options.stdlib);
  const times = new PhaseTimes(`shared program of ${inputs.length} files`);
  const shared = stdlib && inputs.length > 1 ? sharedFrontends(inputs, stdlib) : [];
  times.mark("program");
  times.print();
  return inputs.map((input, k) => {
    const fe = shared[k];
    return (fe && compileShared(fe, input, options)) ?? compile(input, options);
  });
}

function compileShared(
  fe: FrontendResult,
  input: SourceInput,
  options: CompileOptions,
): CompileResult | undefined {
  const times = new PhaseTimes(input.fileName);
  try {
    const r = compileProject(fe, options, new DiagnosticBag(), { name: "front end" }, times);
    if (r.diagnostics.length > 0 || (!r.object && !options.checkOnly)) return undefined;
    times.print();
    return r;
  } catch {
    return undefined; // compiled alone again, which reports the internal error
  }
}
