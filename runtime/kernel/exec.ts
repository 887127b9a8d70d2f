// Child processes for the kernel harness: always an argument array (never a
// shell string), always a timeout, and every failure turned into a
// KernelError naming the command, its exit code and its stderr.

import { execFile, spawnSync } from "node:child_process";
import { KernelError } from "./errors.js";

export interface RunOptions {
  /** Kill the child after this long; default 30 s. */
  timeoutMs?: number;
  /** Exit codes that count as success (default [0]); e.g. ping exits 1 on loss. */
  okCodes?: readonly number[];
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
// Verifier logs of large programs run to megabytes; execFile's 1 MiB default is too small.
const MAX_BUFFER = 256 * 1024 * 1024;

/** Runs `cmd args...` and resolves with its output, or rejects with a KernelError. */
export function run(
  cmd: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { timeout, maxBuffer: MAX_BUFFER, encoding: "utf8", killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, code: 0 });
        const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        const code = typeof e.code === "number" ? e.code : null;
        if (code !== null && (options.okCodes ?? [0]).includes(code)) {
          return resolve({ stdout, stderr, code });
        }
        reject(failure(cmd, args, code, e.signal ?? null, stdout, stderr, e, timeout));
      },
    );
  });
}

/** Synchronous twin of `run`, for detection and exit-time cleanup where no event loop is left. */
export function runSync(cmd: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = spawnSync(cmd, [...args], {
    timeout,
    maxBuffer: MAX_BUFFER,
    encoding: "utf8",
    killSignal: "SIGKILL",
  });
  const stdout = r.stdout ?? "";
  const stderr = r.stderr ?? "";
  if (!r.error && r.status !== null && (options.okCodes ?? [0]).includes(r.status)) {
    return { stdout, stderr, code: r.status };
  }
  throw failure(cmd, args, r.status, r.signal, stdout, stderr, r.error, timeout);
}

function failure(
  cmd: string,
  args: readonly string[],
  exitCode: number | null,
  signal: string | null,
  stdout: string,
  stderr: string,
  cause: (Error & { code?: unknown }) | undefined,
  timeoutMs: number,
): KernelError {
  const command = [cmd, ...args];
  let summary: string;
  if (cause?.code === "ENOENT") summary = `${cmd}: command not found`;
  else if (signal === "SIGKILL" && exitCode === null)
    summary = `${cmd} timed out after ${timeoutMs} ms`;
  else if (exitCode === null) summary = `${cmd} failed: ${cause?.message ?? `signal ${signal}`}`;
  else summary = `${cmd} exited with code ${exitCode}`;
  return new KernelError(summary, { command, exitCode, signal, stdout, stderr });
}
