// The child process side of sandbox.ts: loads one target, says ready, then
// answers each {seq, input} with the target's outcome. Anything a target
// throws that its contract does not allow is caught here and reported as a
// crash with its stack, so the parent can save the input.

import type { Outcome } from "../sandbox.js";

type Target = (input: Buffer | string) => string;

async function loadTarget(name: string): Promise<Target> {
  if (name === "elf") return (await import("./elf-target.js")).elfTarget;
  if (name === "compiler") return (await import("./compiler-target.js")).compilerTarget;
  if (name === "selftest") return selftest;
  throw new Error(`unknown fuzz target ${name}`);
}

/** For the sandbox's own tests: "hang" spins, "oom" allocates without end, else echo. */
function selftest(input: Buffer | string): string {
  const text = input.toString();
  if (text === "hang") for (;;);
  if (text === "oom") {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1 << 20).fill(1));
  }
  if (text === "throw") throw new TypeError("selftest throws");
  return text;
}

const target = await loadTarget(process.argv[2] ?? "");
process.on("message", (m: { seq: number; input: Buffer | string }) => {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    const detail = target(m.input);
    outcome = { kind: "ok", detail, ms: performance.now() - t0 };
  } catch (e) {
    const detail = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
    outcome = {
      kind: "crash",
      detail: detail.split("\n").slice(0, 8).join("\n"),
      ms: performance.now() - t0,
    };
  }
  process.send!({ seq: m.seq, outcome });
});
process.send!({ ready: true });
