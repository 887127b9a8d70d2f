// interpreterTime (interp-time.ts) in a child process of its own: the same
// node and loader flags as the bench, and nothing imported but the runtime
// and the corpus's packets, so V8 runs the interpreter as in a process that
// never loaded the compiler (see interp-time.ts for why that differs).
// The child gets the object's path, the program's name and the settings,
// and prints the result as JSON.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { CORPUS } from "../corpus.js";
import { interpreterTime, type InterpTime } from "./interp-time.js";

interface InterpSettings {
  rounds: number;
  repeat: number;
  warmupMs: number;
}

/** The interpreter's time per packet of `program` in the object at `objectPath`, measured in a child. */
export function interpreterTimeInChild(
  objectPath: string,
  program: string,
  opts: InterpSettings,
): InterpTime {
  const self = fileURLToPath(import.meta.url);
  const argv = [...process.execArgv, self, objectPath, program, JSON.stringify(opts)];
  const out = spawnSync(process.execPath, argv, { encoding: "utf8" });
  if (out.status !== 0) {
    const why = (out.stderr || out.stdout || String(out.error)).trim().split("\n")[0];
    return { ok: false, error: `interpreter child failed: ${why}` };
  }
  return JSON.parse(out.stdout) as InterpTime;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [path, name, settings] = process.argv.slice(2);
  const prog = CORPUS.find((p) => p.name === name);
  if (!path || !prog || !settings) {
    process.stderr.write("usage: interp-child.ts <object.o> <corpus program> <settings json>\n");
    process.exit(2);
  }
  const result = interpreterTime(readFileSync(path), prog, JSON.parse(settings) as InterpSettings);
  process.stdout.write(JSON.stringify(result));
}
