// The stages of a compile after its TypeScript program exists: limits on
// the parsed files, TypeScript's diagnostics, the subset walk, lowering, the
// back end and the ELF writer. compile() (index.ts) runs them on a program of
// its own inputs; compileEach (compile-each.ts) on one file of a program
// shared by several. Exceptions are left to the caller, which names the stage
// (`stage.name`) in its internal-error diagnostic.

import type { Node } from "ts-morph";
import type { DiagnosticBag } from "./diagnostics/diagnostic.js";
import { type FrontendResult, typescriptDiagnostics } from "./frontend/project.js";
import { SubsetChecker } from "./frontend/subset.js";
import { checkLimits } from "./frontend/limits.js";
import { lowerModule } from "./ir/lower-module.js";
import { checkLicense } from "./ir/license-check.js";
import { backEnd, writeElf } from "./emit/object.js";
import type { PhaseTimes } from "./phase-times.js";
import type { CompileOptions, CompileResult } from "./index.js";

export function compileProject(
  fe: FrontendResult,
  options: CompileOptions,
  bag: DiagnosticBag,
  stage: { name: string },
  times: PhaseTimes,
): CompileResult {
  for (const sf of fe.files) {
    const found = checkLimits(sf.compilerNode);
    if (found) {
      const file = fe.fileNames.get(sf) ?? sf.getFilePath();
      bag.report(found.code, { file, text: sf.getFullText(), ...found }, found.args);
      return { object: undefined, diagnostics: bag.items };
    }
  }
  typescriptDiagnostics(fe, bag);
  times.mark("ts-check");
  const checker = new SubsetChecker(bag, fe.fileNames);
  for (const sf of fe.files) checker.checkFile(sf);
  times.mark("subset");
  stage.name = "lowering";
  const stdlibDir = fe.stdlibDir;
  const isStdlib = (n: Node) => n.getSourceFile().getFilePath().startsWith(stdlibDir);
  const mod = lowerModule(
    fe.files,
    { localFunctions: new Map(), fileNames: fe.fileNames, isStdlib },
    bag,
  );
  checkLicense(mod, bag);
  times.mark("lower");
  if (bag.hasErrors || options.checkOnly) return { object: undefined, diagnostics: bag.items };
  stage.name = "code generation";
  const compiled = backEnd(mod, bag);
  times.mark("back end");
  if (bag.hasErrors) return { object: undefined, diagnostics: bag.items, module: compiled };
  stage.name = "object writer";
  const object = writeElf(compiled);
  times.mark("elf");
  return { object, diagnostics: bag.items, module: compiled };
}
