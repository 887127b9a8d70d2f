// How the CLI shows compiler diagnostics: the compiler's text format, with
// color on a terminal (red errors, yellow warnings, cyan help), or as JSON.

import { type Diagnostic, formatDiagnostic } from "../index.js";
import type { Io } from "./command.js";

const RED = "\x1b[31m";
const YELLOW = "\x1b[33m";
const CYAN = "\x1b[36m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";

export function colorize(text: string, d: Diagnostic): string {
  const sev = d.severity === "error" ? RED : YELLOW;
  return text
    .split("\n")
    .map((line, i) => {
      if (i === 0) return line.replace(`${d.severity} ${d.code}`, `${BOLD}${sev}$&${RESET}`);
      if (/^\s*\| \s*\^+$/.test(line)) return line.replace(/\^+/, `${sev}$&${RESET}`);
      if (/^\s*= help:/.test(line)) return `${CYAN}${line}${RESET}`;
      return line;
    })
    .join("\n");
}

export function printDiagnostics(diagnostics: readonly Diagnostic[], io: Io): void {
  for (const d of diagnostics) {
    const text = formatDiagnostic(d);
    io.err(`${io.color ? colorize(text, d) : text}\n\n`);
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length > 0) {
    io.err(
      `${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}\n`,
    );
  }
}

export function diagnosticsJson(diagnostics: readonly Diagnostic[]): unknown[] {
  return diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}
