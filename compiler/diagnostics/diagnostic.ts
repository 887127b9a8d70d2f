// The Diagnostic record every stage produces, a collector that stages share
// so one run reports every error it finds, and the human-readable format
// (file:line:column, message, code frame, hint) the CLI prints.

import { DIAGNOSTICS, type DiagnosticCode, fillTemplate } from "./table.js";

export interface Diagnostic {
  code: DiagnosticCode;
  severity: "error" | "warning";
  message: string;
  hint?: string;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Length of the offending span in characters (for the caret line). */
  length: number;
  /** The full source line text (for the code frame). */
  lineText: string;
}

/** Anything with a position in a source text. */
export interface Located {
  file: string;
  text: string;
  start: number;
  end: number;
}

export function makeDiagnostic(
  code: DiagnosticCode,
  at: Located,
  args: readonly (string | number)[] = [],
): Diagnostic {
  const t: { message: string; hint?: string } = DIAGNOSTICS[code];
  const { line, column, lineText } = lineAndColumn(at.text, at.start);
  const d: Diagnostic = {
    code,
    severity: "error",
    message: fillTemplate(t.message, args),
    file: at.file,
    line,
    column,
    length: Math.max(1, Math.min(at.end, at.start + lineText.length - column + 1) - at.start),
    lineText,
  };
  if (t.hint) d.hint = fillTemplate(t.hint, args);
  return d;
}

/**
 * A diagnostic at an instruction's source position (back-end stages, which no longer have
 * the AST node): the caret spans the rest of the statement's line from that column.
 */
export function diagnosticAtPosition(
  code: DiagnosticCode,
  at: { file: string; line: number; column: number; text: string },
  args: readonly (string | number)[] = [],
): Diagnostic {
  const t: { message: string; hint?: string } = DIAGNOSTICS[code];
  const indent = at.text.length - at.text.trimStart().length;
  const d: Diagnostic = {
    code,
    severity: "error",
    message: fillTemplate(t.message, args),
    file: at.file,
    line: at.line,
    column: at.column,
    length: Math.max(1, at.text.length - Math.max(indent, at.column - 1)),
    lineText: at.text,
  };
  if (t.hint) d.hint = fillTemplate(t.hint, args);
  return d;
}

export function lineAndColumn(
  text: string,
  pos: number,
): { line: number; column: number; lineText: string } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  return { line, column: pos - lineStart + 1, lineText: text.slice(lineStart, lineEnd) };
}

/** Collects diagnostics from all stages; errors do not stop the walk. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  add(d: Diagnostic): void {
    // One construct is often seen by several stages (TypeScript, the subset walk,
    // lowering); the first, most basic diagnostic at a position wins.
    if (this.items.some((x) => x.file === d.file && x.line === d.line && x.column === d.column))
      return;
    this.items.push(d);
  }
  report(code: DiagnosticCode, at: Located, args: readonly (string | number)[] = []): void {
    this.add(makeDiagnostic(code, at, args));
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === "error");
  }
}

/** `file:line:col - error TSBnnnn: message`, a code frame, then the hint. */
export function formatDiagnostic(d: Diagnostic): string {
  const gutter = String(d.line).length;
  const pad = " ".repeat(gutter);
  const caretLen = Math.max(1, Math.min(d.length, d.lineText.length - d.column + 1));
  const lines = [
    `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}`,
    `${pad} |`,
    `${d.line} | ${d.lineText}`,
    `${pad} | ${" ".repeat(d.column - 1)}${"^".repeat(caretLen)}`,
  ];
  if (d.hint) lines.push(`${pad} = help: ${d.hint}`);
  return lines.join("\n");
}
