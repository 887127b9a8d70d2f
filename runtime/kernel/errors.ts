// KernelError: the one error type every kernel-harness failure becomes.
// Callers (the CLI's `run --kernel`, `build --verify`, the tests) print it as
// is, so it carries the command line, the exit code and the tool's own words
// (stderr, which for bpftool -d holds the libbpf and verifier log).

export class KernelError extends Error {
  override readonly name = "KernelError";
  /** The program and its arguments, exactly as executed. */
  readonly command: readonly string[];
  /** Exit status; null when the process did not exit normally (signal, timeout, not found). */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;

  constructor(
    summary: string,
    details: {
      command?: readonly string[];
      exitCode?: number | null;
      signal?: string | null;
      stdout?: string;
      stderr?: string;
    } = {},
  ) {
    const command = details.command ?? [];
    const stderr = details.stderr ?? "";
    super(KernelError.compose(summary, command, details.exitCode ?? null, stderr));
    this.command = command;
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.stdout = details.stdout ?? "";
    this.stderr = stderr;
  }

  // The message names the command and quotes the end of stderr: the last
  // lines are where bpftool, ip and the verifier say what went wrong.
  private static compose(
    summary: string,
    command: readonly string[],
    exitCode: number | null,
    stderr: string,
  ): string {
    const parts = [summary];
    if (command.length > 0) parts.push(`command: ${command.join(" ")}`);
    if (exitCode !== null) parts.push(`exit code: ${exitCode}`);
    const tail = stderr.trimEnd().split("\n").slice(-12).join("\n");
    if (tail) parts.push(`stderr (last lines):\n${tail}`);
    return parts.join("\n");
  }
}
