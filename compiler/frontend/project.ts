// Stage 1: a TypeScript program over the user's files and the stdlib alone
// (no default lib, so JS globals do not even type-check), and TypeScript's
// own diagnostics, reported before anything tsbpf-specific. The later stages
// walk the user files through ts-morph's wrappers.
//
// The program is built with TypeScript's own API rather than a ts-morph
// Project: the stdlib's parsed (and, once used, bound) SourceFiles are kept
// for the whole process and handed to every compile's program, while the
// user's files live only in the program of their own compile. That is what
// makes the second and later compiles of a process (the CLI's many inputs,
// the tests, the fuzzer) cheap, without one compile ever seeing another's
// files. JSDoc is parsed as tsc does it (only where it can matter for type
// errors): tsbpf reads none, and the stdlib's doc comments are most of its
// text.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile, ts as TS } from "ts-morph";
import type { DiagnosticBag } from "../diagnostics/diagnostic.js";
import { ts, wrapSourceFiles } from "./ts-morph.js";

export interface SourceInput {
  fileName: string;
  text: string;
}

export interface FrontendResult {
  program: TS.Program;
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

const PARSE_OPTIONS: TS.CreateSourceFileOptions = {
  languageVersion: ts.ScriptTarget.ES2022,
  jsDocParsingMode: ts.JSDocParsingMode.ParseForTypeErrors,
};

interface CachedFile {
  sf: TS.SourceFile;
  mtimeMs: number;
  size: number;
}

/** Per stdlib entry: the compiler options, the stdlib files parsed so far and their imports. */
interface StdlibState {
  dir: string;
  options: TS.CompilerOptions;
  files: Map<string, CachedFile>;
  /** How the stdlib's own imports resolve ("containing file\0specifier\0mode"). */
  resolutions: Map<string, TS.ResolvedModuleWithFailedLookupLocations>;
}

const stdlibs = new Map<string, StdlibState>();

function stdlibState(stdlibEntry: string): StdlibState {
  let state = stdlibs.get(stdlibEntry);
  if (!state) {
    state = {
      dir: dirname(stdlibEntry) + sep,
      options: {
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
      files: new Map(),
      resolutions: new Map(),
    };
    stdlibs.set(stdlibEntry, state);
  }
  return state;
}

/** A stdlib file, parsed once per process (again only if it changed on disk). */
function stdlibFile(state: StdlibState, fileName: string): TS.SourceFile | undefined {
  let st;
  try {
    st = statSync(fileName);
  } catch {
    return undefined;
  }
  const cached = state.files.get(fileName);
  if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.sf;
  const sf = ts.createSourceFile(fileName, readFileSync(fileName, "utf8"), PARSE_OPTIONS, true);
  state.files.set(fileName, { sf, mtimeMs: st.mtimeMs, size: st.size });
  return sf;
}

function compilerHost(state: StdlibState, userTexts: Map<string, string>): TS.CompilerHost {
  const sys = ts.sys;
  const readFile = (f: string) => userTexts.get(f) ?? sys.readFile(f);
  const host: TS.CompilerHost = {
    getSourceFile(fileName) {
      const user = userTexts.get(fileName);
      if (user !== undefined) return ts.createSourceFile(fileName, user, PARSE_OPTIONS, true);
      if (fileName.startsWith(state.dir)) return stdlibFile(state, fileName);
      // Another file of the user's, imported by path: read for this compile only.
      const text = sys.readFile(fileName);
      return text === undefined
        ? undefined
        : ts.createSourceFile(fileName, text, PARSE_OPTIONS, true);
    },
    fileExists: (f) => userTexts.has(f) || sys.fileExists(f),
    readFile,
    directoryExists: (d) => sys.directoryExists(d),
    getDirectories: (d) => sys.getDirectories(d),
    realpath: (p) => sys.realpath?.(p) ?? p,
    getDefaultLibFileName: () => join(state.dir, "lib.d.ts"), // unused: noLib
    writeFile: () => {},
    getCurrentDirectory: () => process.cwd(),
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    resolveModuleNameLiterals(literals, containingFile, redirected, options, containingSf) {
      // The stdlib's imports resolve the same way in every compile: remember them.
      const stable = containingFile.startsWith(state.dir);
      return literals.map((literal) => {
        const mode = ts.getModeForUsageLocation(containingSf, literal, options);
        const key = `${containingFile}\0${literal.text}\0${mode}`;
        const known = stable ? state.resolutions.get(key) : undefined;
        if (known) return known;
        const r = ts.resolveModuleName(
          literal.text,
          containingFile,
          options,
          host,
          undefined,
          redirected,
          mode,
        );
        if (stable) state.resolutions.set(key, r);
        return r;
      });
    },
  };
  return host;
}

export function createProject(inputs: SourceInput[], stdlibEntry: string): FrontendResult {
  const state = stdlibState(stdlibEntry);
  const userTexts = new Map<string, string>();
  for (const input of inputs) userTexts.set(resolve(input.fileName), input.text);
  const program = ts.createProgram({
    rootNames: [...userTexts.keys()],
    options: state.options,
    host: compilerHost(state, userTexts),
  });
  const roots = [...userTexts.keys()].map((f) => program.getSourceFile(f)!);
  const files = wrapSourceFiles(roots, program.getTypeChecker(), state.options);
  const fileNames = new Map<SourceFile, string>();
  files.forEach((sf, i) => fileNames.set(sf, inputs[i]!.fileName));
  return { program, files, fileNames, stdlibDir: state.dir };
}

/**
 * TypeScript's own errors, as TSB1000 diagnostics at their positions: the
 * user files' syntax and semantics and the global ones. The stdlib's own
 * declarations are not checked again (what the user files use of them is).
 */
export function typescriptDiagnostics(fe: FrontendResult, bag: DiagnosticBag): void {
  const program = fe.program;
  const names = new Map<TS.SourceFile, string>();
  for (const [sf, name] of fe.fileNames) names.set(sf.compilerNode, name);
  const all: TS.Diagnostic[] = [
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
