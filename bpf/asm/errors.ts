// The one error type of the assembler: every bad input becomes an AsmError
// that says where (1-based line and column) and what, so callers can print
// `file:line:col: message` and tests can match positions.

export class AsmError extends Error {
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${line}:${column}: ${detail}`);
    this.name = "AsmError";
  }
}
