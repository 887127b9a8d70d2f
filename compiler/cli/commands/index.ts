// The list of `tsbpf` subcommands, in the order --help shows them.
import type { Command } from "../command.js";
import { vmCommand } from "./vm.js";

export const commands: Command[] = [vmCommand];
