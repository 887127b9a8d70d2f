// `tsbpf watch <file.ts> [-o out.o]`: builds once, then again whenever the
// file changes, until interrupted. Watches the file's directory rather than
// the file, because editors often save by writing a new file and renaming
// it over the old one (a watch on the old inode would go quiet). Changes are
// debounced so one save means one build.

import { watch, writeFileSync, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { compile } from "../../index.js";
import { UsageError, value } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK, type Io } from "../command.js";
import { printDiagnostics } from "../diagnostics-output.js";
import { readSource } from "../read-sources.js";

const DEBOUNCE_MS = 80;

export const watchCommand: Command = {
  name: "watch",
  summary: "rebuild a program whenever its file changes (Ctrl-C to stop)",
  usage: "tsbpf watch <file.ts> [-o out.o]",
  options: [
    {
      name: "output",
      short: "o",
      takesValue: true,
      valueName: "FILE",
      description: "where to write the object (default: next to the input)",
    },
  ],
  async run(args, io) {
    const [input, ...extra] = args.positionals;
    if (!input) throw new UsageError("no input file; give one .ts file");
    if (extra.length > 0) throw new UsageError("watch takes one .ts file");
    const full = resolve(io.cwd, input);
    const out = resolve(io.cwd, value(args, "output") ?? input.replace(/\.[cm]?ts$/, "") + ".o");
    const first = readSource(input, io);
    if (typeof first === "string") {
      io.err(`tsbpf watch: ${first}\n`);
      return EXIT_FAILURE;
    }
    buildOnce(input, out, io);
    let watcher: FSWatcher;
    try {
      watcher = watch(dirname(full));
    } catch (e) {
      io.err(`tsbpf watch: cannot watch ${dirname(full)}: ${(e as Error).message}\n`);
      return EXIT_FAILURE;
    }
    io.out(`watching ${input} (Ctrl-C to stop)\n`);
    return new Promise<number>((done) => {
      let timer: NodeJS.Timeout | undefined;
      watcher.on("change", (_event, name) => {
        if (name !== null && String(name) !== basename(full)) return;
        clearTimeout(timer);
        timer = setTimeout(() => buildOnce(input, out, io), DEBOUNCE_MS);
      });
      watcher.on("error", (e) => {
        io.err(`tsbpf watch: ${e.message}\n`);
        watcher.close();
        done(EXIT_FAILURE);
      });
      const stop = () => {
        clearTimeout(timer);
        watcher.close();
        done(EXIT_OK);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};

function stamp(): string {
  return new Date().toTimeString().slice(0, 8);
}

/** One build; problems are printed, never thrown, so watching goes on. */
function buildOnce(input: string, out: string, io: Io): void {
  const source = readSource(input, io);
  if (typeof source === "string") {
    // Mid-save (the file briefly gone during a rename): the next event rebuilds.
    io.err(`[${stamp()}] ${source}\n`);
    return;
  }
  const result = compile(source);
  printDiagnostics(result.diagnostics, io);
  const errors = result.diagnostics.filter((d) => d.severity === "error").length;
  if (!result.object || errors > 0) {
    io.out(`[${stamp()}] ${input}: ${errors} error${errors === 1 ? "" : "s"}, nothing written\n`);
    return;
  }
  try {
    writeFileSync(out, result.object);
    io.out(`[${stamp()}] wrote ${out} (${result.object.length} bytes)\n`);
  } catch (e) {
    io.err(`[${stamp()}] cannot write ${out}: ${(e as Error).message}\n`);
  }
}
