// The one place the compiler gets ts-morph's runtime values from. Importing
// "ts-morph" from an ES module makes node scan its 1 MB CommonJS bundle for
// export names (cjs-module-lexer, ~250 ms of CPU per process); a require
// skips that, and goes through the code cache (code-cache.ts). Other files
// import values (Node, SyntaxKind, ts, Project) from here; `import type`
// from "ts-morph" stays free. test/compiler-frontend/startup.test.ts keeps
// it that way.

import type * as TsMorph from "ts-morph";
import { loadTsMorph, loadTsMorphCommon } from "./code-cache.js";

const tsMorph = loadTsMorph();

// ts-morph keeps each directory's files and subdirectories in arrays sorted
// by name with `localeCompare(b, "en-us-u-kf-upper")`; the first call loads
// ICU's collation data, over 10 ms of CPU per process. tsbpf never lists
// ts-morph's directories, and the arrays only need one consistent order for
// their binary searches, so names are compared by UTF-16 code units instead.
loadTsMorphCommon().LocaleStringComparer.prototype.compareTo = (a: string, b: string) =>
  a < b ? -1 : a > b ? 1 : 0;

export type * from "ts-morph";
export const Node = tsMorph.Node;
export type Node<T extends TsMorph.ts.Node = TsMorph.ts.Node> = TsMorph.Node<T>;
export const SyntaxKind = tsMorph.SyntaxKind;
export type SyntaxKind = TsMorph.SyntaxKind;
export const Project = tsMorph.Project;
export type Project = TsMorph.Project;
/** The typescript namespace as a value; for its types, `import type { ts } from "ts-morph"`. */
export const ts = tsMorph.ts;

interface WrapperContext {
  _context?: {
    compilerFactory?: {
      getSourceFile(
        sf: TsMorph.ts.SourceFile,
        options: { markInProject: boolean },
      ): TsMorph.SourceFile;
    };
  };
}

/**
 * ts-morph wrappers for source files of one TypeScript program, answering
 * type questions with `checker`. They share one wrapper context, so a node
 * reached from any of them (a declaration in another file) is the same
 * wrapper object whichever way it was reached.
 */
export function wrapSourceFiles(
  files: readonly TsMorph.ts.SourceFile[],
  checker: TsMorph.ts.TypeChecker,
  compilerOptions: TsMorph.ts.CompilerOptions,
): TsMorph.SourceFile[] {
  const [first, ...rest] = files;
  if (!first) return [];
  const wrapped = tsMorph.createWrappedNode(first, { typeChecker: checker, compilerOptions });
  const sourceFile = wrapped as TsMorph.SourceFile;
  if (rest.length === 0) return [sourceFile];
  // ts-morph has no public way to wrap a second file into the same context.
  const factory = (wrapped as unknown as WrapperContext)._context?.compilerFactory;
  if (!factory) throw new Error("this ts-morph version cannot wrap several files together");
  return [sourceFile, ...rest.map((sf) => factory.getSourceFile(sf, { markInProject: true }))];
}
