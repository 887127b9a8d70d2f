#!/usr/bin/env node
// The `tsbpf` command: dispatches to one file per subcommand under
// commands/. Every failure a user can cause ends in a message and an exit
// code (0 ok, 1 problems in the input, 2 misuse), never a stack trace.

import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { UsageError, formatOptions, parseArgs } from "./args.js";
import { type Command, EXIT_FAILURE, EXIT_USAGE, HELP_OPTION, type Io } from "./command.js";
import { loadAllCommands, loadCommand } from "./commands/index.js";

function packageVersion(): string {
  const url = new URL("../../../package.json", import.meta.url);
  const fallback = new URL("../../package.json", import.meta.url);
  for (const candidate of [url, fallback]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "tsbpf" && pkg.version) return pkg.version;
    } catch {
      // try the next location: dist/ and source layouts differ by one level
    }
  }
  return "unknown";
}

function topHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "tsbpf: write eBPF programs (XDP, LWT) in TypeScript",
    "",
    "usage: tsbpf <command> [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "options:",
    "  -h, --help     show help (also: tsbpf <command> --help)",
    "  -V, --version  print the version",
    "",
  ].join("\n");
}

export function commandHelp(c: Command): string {
  return [
    `usage: ${c.usage}`,
    "",
    c.summary,
    "",
    "options:",
    formatOptions([...c.options, HELP_OPTION]),
    "",
  ].join("\n");
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(topHelp(await loadAllCommands()));
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === "--version" || name === "-V") {
    io.out(`tsbpf ${packageVersion()}\n`);
    return 0;
  }
  const command = await loadCommand(name);
  if (!command) {
    io.err(`tsbpf: unknown command '${name}'. Run 'tsbpf --help' for the list.\n`);
    return EXIT_USAGE;
  }
  try {
    const args = parseArgs(rest, [...command.options, HELP_OPTION]);
    if (args.options.has("help")) {
      io.out(commandHelp(command));
      return 0;
    }
    return await command.run(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tsbpf ${command.name}: ${e.message}\n${`usage: ${command.usage}`}\n`);
      return EXIT_USAGE;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.err(`tsbpf ${command.name}: internal error: ${message}\nPlease report this as a bug.\n`);
    return EXIT_FAILURE;
  }
}

function isEntryPoint(): boolean {
  // npm links the bin through a symlink, so compare resolved paths.
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

/** Runs the command line `argv` on the process's stdio and sets the exit code. */
export function runMain(argv: readonly string[]): void {
  const io: Io = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: Boolean(process.stderr.isTTY) && !process.env["NO_COLOR"],
    cwd: process.cwd(),
  };
  main(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tsbpf: internal error: ${String(e)}\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}

if (isEntryPoint()) runMain(process.argv.slice(2));
