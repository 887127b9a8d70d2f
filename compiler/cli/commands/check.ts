// `tsbpf check <file.ts>...`: type and subset diagnostics only, no object:
// fast, for editors and CI.

import { compile } from "../../index.js";
import { UsageError, flag } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.js";
import { diagnosticsJson, printDiagnostics } from "../diagnostics-output.js";
import { readSource } from "../read-sources.js";

export const checkCommand: Command = {
  name: "check",
  summary: "report diagnostics for tsbpf programs without writing objects",
  usage: "tsbpf check <file.ts>... [--json]",
  options: [
    { name: "json", takesValue: false, description: "print diagnostics as JSON on stdout" },
  ],
  async run(args, io) {
    if (args.positionals.length === 0)
      throw new UsageError("no input file; give one or more .ts files");
    const json = flag(args, "json");
    const all: unknown[] = [];
    let failed = false;
    for (const input of args.positionals) {
      const source = readSource(input, io);
      if (typeof source === "string") {
        failed = true;
        if (json) all.push({ file: input, error: source });
        else io.err(`tsbpf check: ${source}\n`);
        continue;
      }
      const result = compile(source, { checkOnly: true });
      if (result.diagnostics.some((d) => d.severity === "error")) failed = true;
      if (json) all.push(...diagnosticsJson(result.diagnostics));
      else printDiagnostics(result.diagnostics, io);
    }
    if (json) io.out(`${JSON.stringify(all, null, 2)}\n`);
    else if (!failed) io.out(`no problems in ${args.positionals.length} file(s)\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};
