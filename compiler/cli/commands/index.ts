// The list of `tsbpf` subcommands, in the order --help shows them.
import type { Command } from "../command.js";

export const commands: Command[] = [];
