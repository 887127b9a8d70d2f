// Runs the `tsbpf` command from source in a child process without blocking
// the test worker (spawnSync would starve vitest's RPC on a busy machine),
// capturing stdout, stderr and the exit code. Also used by the quick-start
// and end-to-end tests to build objects exactly as a user would.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { repoRoot } from "../cli/run-cli.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const entry = `${repoRoot}compiler/cli/main.ts`;
// Resolved here, so the command also runs from a directory without tsx (a fresh project).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export function tsbpf(
  args: readonly string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", tsxLoader, entry, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export { repoRoot };
