// The compile-time columns time the built CLI (dist/ and its start-up
// snapshot), as users run it. This rebuilds dist (`npm run build`) when any
// compiler, bpf, stdlib or runtime source is newer than it, or the snapshot
// is missing or older than it, so the bench never times a stale compiler.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { CLI } from "./compile-time.js";

const BLOB = join(import.meta.dirname, "../../dist/snapshot/tsbpf.blob");

const ROOT = join(import.meta.dirname, "../..");
const SOURCES = ["compiler", "bpf", "stdlib", "runtime"];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ if stale; returns a note for the report ("" when it was current). */
export function ensureDist(): string {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  const snapshot = existsSync(BLOB) ? statSync(BLOB).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((d) => newestMtime(join(ROOT, d))));
  if (built >= sources && snapshot >= built) return "";
  const r = spawnSync("npm", ["run", "--silent", "build"], { cwd: ROOT, encoding: "utf8" });
  // tsc still emits on type errors; the CLI is timed either way, but say so.
  if (r.status !== 0) return `dist rebuilt with tsc errors: ${r.stdout.split("\n")[0] ?? ""}`;
  if (r.stderr.includes("no start-up snapshot")) return `dist rebuilt: ${r.stderr.trim()}`;
  return "dist rebuilt (it was older than the sources)";
}
