// Runs the `tsbpf` command from source in a child process (through tsx),
// as a user would run it, capturing stdout, stderr and the exit code.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const entry = fileURLToPath(new URL("../../compiler/cli/main.ts", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: readonly string[],
  opts: { stdin?: string; cwd?: string } = {},
): CliResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.stdin ?? "",
    encoding: "utf8",
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export { repoRoot };
