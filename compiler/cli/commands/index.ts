// The list of `tsbpf` subcommands, in the order --help shows them. Each is
// imported only when it runs: `build` must not pay for loading the
// interpreter and the kernel harness that `run` and `vm` need.
import type { Command } from "../command.js";

const loaders: Record<string, () => Promise<Command>> = {
  build: async () => (await import("./build.js")).buildCommand,
  check: async () => (await import("./check.js")).checkCommand,
  run: async () => (await import("./run.js")).runCommand,
  disasm: async () => (await import("./disasm.js")).disasmCommand,
  init: async () => (await import("./init.js")).initCommand,
  watch: async () => (await import("./watch.js")).watchCommand,
  vm: async () => (await import("./vm.js")).vmCommand,
};

/** The command called `name`, or undefined for an unknown name. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(loaders, name) ? loaders[name]!() : undefined;
}

/** Every command (for the top-level help, which lists their summaries). */
export function loadAllCommands(): Promise<Command[]> {
  return Promise.all(Object.values(loaders).map((load) => load()));
}
