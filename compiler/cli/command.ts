// What every `tsbpf` subcommand provides, and the output channel it writes
// to. Commands return an exit code: 0 success, 1 the input had problems
// (diagnostics, verifier rejection, failed run), 2 the command was misused.

import type { OptionSpec } from "./args.js";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (colored diagnostics) or not (plain text). */
  color: boolean;
  cwd: string;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: OptionSpec[];
  run(args: import("./args.js").ParsedArgs, io: Io): Promise<number>;
}

export const HELP_OPTION: OptionSpec = {
  name: "help",
  short: "h",
  takesValue: false,
  description: "show this help",
};
