// Stage 1: a ts-morph Project over the user's files and the stdlib alone
// (no default lib, so JS globals do not even type-check), and TypeScript's
// own diagnostics, reported before anything tsbpf-specific.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, type SourceFile, ts } from "ts-morph";
import type { DiagnosticBag } from "../diagnostics/diagnostic.js";

export interface SourceInput {
  fileName: string;
  text: string;
}

export interface FrontendResult {
  project: Project;
  files: SourceFile[];
  fileNames: Map<SourceFile, string>;
  stdlibDir: string;
}

/** The stdlib's entry: an explicit path, else `stdlib/index.d.ts` above this module. */
export function findStdlib(explicit?: string): string | undefined {
  if (explicit) return resolve(explicit);
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "stdlib", "index.d.ts");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export function createProject(inputs: SourceInput[], stdlibEntry: string): FrontendResult {
  const project = new Project({
    compilerOptions: {
      noLib: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      noEmit: true,
      paths: { tsbpf: [stdlibEntry] },
      baseUrl: "/",
    },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: false,
  });
  const fileNames = new Map<SourceFile, string>();
  const files = inputs.map((input) => {
    const sf = project.createSourceFile(resolve(input.fileName), input.text, { overwrite: true });
    fileNames.set(sf, input.fileName);
    return sf;
  });
  project.resolveSourceFileDependencies();
  return { project, files, fileNames, stdlibDir: dirname(stdlibEntry) };
}

/** TypeScript's own errors, as TSB1000 diagnostics at their positions. */
export function typescriptDiagnostics(fe: FrontendResult, bag: DiagnosticBag): void {
  for (const d of fe.project.getPreEmitDiagnostics()) {
    if (d.getCategory() !== ts.DiagnosticCategory.Error) continue;
    const sf = d.getSourceFile();
    const msg = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
    const start = d.getStart() ?? 0;
    const text = sf?.getFullText() ?? "";
    const file = sf ? (fe.fileNames.get(sf) ?? sf.getFilePath()) : "<tsbpf>";
    bag.report("TSB1000", { file, text, start, end: start + (d.getLength() ?? 1) }, [
      `${msg} (TS${d.getCode()})`,
    ]);
  }
}
