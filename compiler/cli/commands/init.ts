// `tsbpf init <dir>`: a new project with a program, its vitest test and a
// tsconfig.json that makes an editor check the program against the tsbpf
// stdlib. Refuses to overwrite: a file that already exists stops the
// command before anything is written.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError, flag } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.js";
import { projectFiles } from "../project-template.js";

function ownVersion(): string {
  for (const up of ["../../../package.json", "../../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "tsbpf" && pkg.version) return pkg.version;
    } catch {
      // source and dist/ layouts differ by one level
    }
  }
  return "0.1.0";
}

export const initCommand: Command = {
  name: "init",
  summary: "create a new project: a program, a vitest test and an editor-ready tsconfig.json",
  usage: "tsbpf init <dir> [--force]",
  options: [
    { name: "force", takesValue: false, description: "overwrite files that already exist" },
  ],
  async run(args, io) {
    const [dir, ...extra] = args.positionals;
    if (!dir) throw new UsageError("no directory; give the project's directory");
    if (extra.length > 0) throw new UsageError("give exactly one directory");
    const root = resolve(io.cwd, dir);
    const name =
      basename(root)
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, "-") || "tsbpf-project";
    const files = projectFiles({ name, version: ownVersion() });
    const existing = Object.keys(files).filter((f) => existsSync(join(root, f)));
    if (existing.length > 0 && !flag(args, "force")) {
      io.err(
        `tsbpf init: ${dir} already has ${existing.join(", ")}; nothing written (use --force to overwrite)\n`,
      );
      return EXIT_FAILURE;
    }
    try {
      for (const [rel, text] of Object.entries(files)) {
        const path = join(root, rel);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, text);
      }
    } catch (e) {
      io.err(`tsbpf init: cannot write into ${dir}: ${(e as Error).message}\n`);
      return EXIT_FAILURE;
    }
    io.out(
      [
        `created ${dir}: ${Object.keys(files).join(", ")}`,
        "",
        "next:",
        `  cd ${dir}`,
        "  npm install",
        "  npm test                 # runs src/prog.ts in the interpreter",
        "  npm run build            # writes prog.o",
        "  sudo ip link set dev eth0 xdp obj prog.o sec xdp",
        "",
      ].join("\n"),
    );
    return EXIT_OK;
  },
};
