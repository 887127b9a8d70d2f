// The object a command works on, from a .o file as it is or from a .ts file
// compiled on the spot (diagnostics printed as `tsbpf build` prints them).
// Failures come back as a message for the user, never as an exception.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { compile } from "../index.js";
import type { Io } from "./command.js";
import { printDiagnostics } from "./diagnostics-output.js";
import { readSource } from "./read-sources.js";

export type ObjectInput = { bytes: Uint8Array; compiled: boolean } | { error: string };

export function objectFrom(path: string, io: Io, opts: { quiet?: boolean } = {}): ObjectInput {
  if (/\.[cm]?ts$/.test(path)) {
    const source = readSource(path, io);
    if (typeof source === "string") return { error: source };
    const result = compile(source);
    if (!opts.quiet) printDiagnostics(result.diagnostics, io);
    const errors = result.diagnostics.filter((d) => d.severity === "error").length;
    if (!result.object || errors > 0) {
      return { error: `${path}: did not compile (${errors} error${errors === 1 ? "" : "s"})` };
    }
    return { bytes: result.object, compiled: true };
  }
  try {
    return { bytes: readFileSync(resolve(io.cwd, path)), compiled: false };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { error: `${path}: no such file` };
    if (code === "EISDIR") return { error: `${path}: is a directory, not a .o or .ts file` };
    return { error: `${path}: cannot read (${(e as Error).message})` };
  }
}
