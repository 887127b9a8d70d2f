// Stage 1: a ts-morph Project over the user's files and the stdlib alone
// (no default lib, so JS globals do not even type-check), and TypeScript's
// own diagnostics, reported before anything tsbpf-specific.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, type SourceFile, ts } from "./ts-morph.js";
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

/**
 * One Project per stdlib for the whole process: the stdlib is parsed once
 * and reused by every compile() (the CLI builds many inputs in one
 * invocation; tests compile thousands). User files are added per compile
 * and removed by releaseProject(), so nothing leaks from one to the next.
 */
const projects = new Map<string, Project>();

function sharedProject(stdlibEntry: string): Project {
  let project = projects.get(stdlibEntry);
  if (!project) {
    project = new Project({
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
    projects.set(stdlibEntry, project);
  }
  return project;
}

export function createProject(inputs: SourceInput[], stdlibEntry: string): FrontendResult {
  const project = sharedProject(stdlibEntry);
  const stdlibDir = dirname(stdlibEntry);
  const fileNames = new Map<SourceFile, string>();
  const fe: FrontendResult = { project, files: [], fileNames, stdlibDir };
  try {
    for (const input of inputs) {
      const sf = project.createSourceFile(resolve(input.fileName), input.text, { overwrite: true });
      fileNames.set(sf, input.fileName);
      fe.files.push(sf);
    }
    project.resolveSourceFileDependencies();
  } catch (e) {
    releaseProject(fe);
    throw e;
  }
  return fe;
}

/** Drop everything but the stdlib from the shared project (call when the compile is done). */
export function releaseProject(fe: FrontendResult): void {
  for (const sf of fe.project.getSourceFiles()) {
    if (fe.fileNames.has(sf) || !sf.getFilePath().startsWith(fe.stdlibDir)) {
      fe.project.removeSourceFile(sf);
    }
  }
}

/**
 * TypeScript's own errors, as TSB1000 diagnostics at their positions: the
 * user files' syntax and semantics and the global ones. The stdlib's own
 * declarations are not checked again (what the user files use of them is).
 */
export function typescriptDiagnostics(fe: FrontendResult, bag: DiagnosticBag): void {
  const program = fe.project.getProgram().compilerObject;
  const names = new Map<ts.SourceFile, string>();
  for (const [sf, name] of fe.fileNames) names.set(sf.compilerNode, name);
  const all: ts.Diagnostic[] = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
  ];
  for (const sf of names.keys()) all.push(...program.getSyntacticDiagnostics(sf));
  for (const sf of names.keys()) all.push(...program.getSemanticDiagnostics(sf));
  for (const d of ts.sortAndDeduplicateDiagnostics(all)) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const sf = d.file;
    const msg = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const start = d.start ?? 0;
    const text = sf?.text ?? "";
    const file = sf ? (names.get(sf) ?? sf.fileName) : "<tsbpf>";
    bag.report("TSB1000", { file, text, start, end: start + (d.length ?? 1) }, [
      `${msg} (TS${d.code})`,
    ]);
  }
}
