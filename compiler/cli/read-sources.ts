// Reads the .ts files named on the command line, turning a missing or
// unreadable file into a message rather than an exception.

import { readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { SourceInput } from "../index.js";
import type { Io } from "./command.js";

/** The file as the user named it (relative to cwd when inside it), for messages. */
export function displayPath(path: string, io: Io): string {
  const rel = relative(io.cwd, resolve(io.cwd, path));
  return rel.startsWith("..") ? resolve(io.cwd, path) : rel;
}

export function readSource(path: string, io: Io): SourceInput | string {
  const full = resolve(io.cwd, path);
  try {
    if (statSync(full).isDirectory()) return `${path}: is a directory, not a .ts file`;
    return { fileName: displayPath(path, io), text: readFileSync(full, "utf8") };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `${path}: no such file`;
    if (code === "EACCES") return `${path}: permission denied`;
    return `${path}: cannot read (${(e as Error).message})`;
  }
}
