// CI runs every fuzz campaign for a minute on every submission:
// `npm run fuzz -- --time 60 --no-save --seed S` in a child process
// (asynchronous, so the vitest worker stays responsive), its summary
// printed, and no failure allowed: no disagreement, no verifier refusal of
// generated or compiled code, no compiler refusal of a generated program,
// no crash or hang. The seed is fixed (the same programs every run, so a
// failure reproduces with the printed command); FUZZ_SEED overrides it.
// Without kernel access the kernel campaigns print SKIPPED and the others run.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SEED = Number(process.env.FUZZ_SEED ?? 20261122) >>> 0;

function runFuzz(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "scripts/fuzz.ts", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

it("npm run fuzz for a minute finds nothing", async () => {
  const args = ["--time", "60", "--no-save", "--seed", String(SEED)];
  const { code, out } = await runFuzz(args);
  const summary = out
    .split("\n")
    .filter((l) => !l.startsWith("npm warn"))
    .join("\n");
  console.log(`npm run fuzz -- ${args.join(" ")}\n${summary}`);
  const last = /^(\d+) passed, (\d+) failed$/m.exec(summary);
  expect(last, "the fuzz summary line").not.toBeNull();
  expect(Number(last![2]), summary).toBe(0);
  expect(Number(last![1])).toBeGreaterThan(0);
  expect(code).toBe(0);
}, 900_000);
