// One TypeScript program for several inputs that are each compiled on their
// own (`tsbpf build a.ts b.ts ...`): the stdlib's declarations are resolved
// and their types built once for all of them, instead of once per input's
// program and checker. Each input then goes through the pipeline alone,
// with a FrontendResult that names only its own file.
//
// Sharing must not change what any input sees. Inputs are shared only when
// each is an ES module that imports nothing but "tsbpf" and declares nothing
// global (no `declare global`, no `declare module "x"`, no triple-slash
// references), and the program holds nothing but them and the stdlib: then
// no input can see another's declarations. compile-each.ts further keeps a
// shared result only when it has no diagnostic at all, and compiles the
// input alone otherwise, so every message comes from a program of its own.

import type { ts as TS } from "ts-morph";
import { resolve } from "node:path";
import { scanNesting } from "./limits.js";
import { createProject, type FrontendResult, type SourceInput } from "./project.js";
import { ts } from "./ts-morph.js";

/**
 * Per input, its view of one program shared by every input that can share
 * it, or undefined for an input to compile alone (all of them when fewer
 * than two can share).
 */
export function sharedFrontends(
  inputs: readonly SourceInput[],
  stdlibEntry: string,
): (FrontendResult | undefined)[] {
  const none = inputs.map(() => undefined);
  const names = inputs.map((i) => resolve(i.fileName));
  // Deep nesting is reported before any program exists; such inputs go alone.
  const candidates = inputs
    .map((_, k) => k)
    .filter((k) => names.indexOf(names[k]!) === k && names.lastIndexOf(names[k]!) === k)
    .filter((k) => !scanNesting(inputs[k]!.text));
  const first = shareable(inputs, candidates, stdlibEntry);
  if (!first) return none;
  // Inputs that are not isolated modules go alone; the rest share a program without them.
  const isolated = candidates.filter((_, at) => isolatedModule(first.files[at]!.compilerNode));
  const fe =
    isolated.length === candidates.length
      ? first
      : isolated.length >= 2
        ? shareable(inputs, isolated, stdlibEntry)
        : undefined;
  if (!fe || !closed(fe)) return none;
  const out: (FrontendResult | undefined)[] = [...none];
  isolated.forEach((k, at) => {
    const sf = fe.files[at]!;
    out[k] = { ...fe, files: [sf], fileNames: new Map([[sf, inputs[k]!.fileName]]) };
  });
  return out;
}

/** A program of the inputs at `which`, or undefined for fewer than two or a parser failure. */
function shareable(
  inputs: readonly SourceInput[],
  which: number[],
  stdlibEntry: string,
): FrontendResult | undefined {
  if (which.length < 2) return undefined;
  try {
    return createProject(
      which.map((k) => inputs[k]!),
      stdlibEntry,
    );
  } catch {
    return undefined; // the parser's own limits: each input reports it alone
  }
}

/** Whether the program holds its roots and stdlib files only (no file one input brought in). */
function closed(fe: FrontendResult): boolean {
  const roots = new Set(fe.files.map((sf) => sf.compilerNode));
  return fe.program
    .getSourceFiles()
    .every((sf) => roots.has(sf) || sf.fileName.startsWith(fe.stdlibDir));
}

/** An ES module whose only import is "tsbpf" and which adds nothing to the global scope. */
function isolatedModule(sf: TS.SourceFile): boolean {
  if (!ts.isExternalModule(sf)) return false;
  if (sf.referencedFiles.length + sf.typeReferenceDirectives.length > 0) return false;
  if (sf.libReferenceDirectives.length > 0) return false;
  return sf.statements.every((st) => {
    if (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier;
      return !spec || (ts.isStringLiteral(spec) && spec.text === "tsbpf");
    }
    if (ts.isImportEqualsDeclaration(st)) return !ts.isExternalModuleReference(st.moduleReference);
    if (ts.isModuleDeclaration(st)) {
      return !ts.isStringLiteral(st.name) && !(st.flags & ts.NodeFlags.GlobalAugmentation);
    }
    return true;
  });
}
