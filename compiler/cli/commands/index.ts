// The list of `tsbpf` subcommands, in the order --help shows them.
import type { Command } from "../command.js";
import { buildCommand } from "./build.js";
import { checkCommand } from "./check.js";
import { disasmCommand } from "./disasm.js";
import { initCommand } from "./init.js";
import { runCommand } from "./run.js";
import { vmCommand } from "./vm.js";
import { watchCommand } from "./watch.js";

export const commands: Command[] = [
  buildCommand,
  checkCommand,
  runCommand,
  disasmCommand,
  initCommand,
  watchCommand,
  vmCommand,
];
