// Vitest wrappers for tests that need the real kernel (and optionally other
// tools such as clang-19 or ping). When something is missing the test is
// skipped and "SKIPPED: <name>: <reason>" is printed, so a machine without
// kernel access never reports these tests as passed.

import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, it } from "vitest";
import { detectKernel } from "../../runtime/kernel/index.js";

export interface KernelTestOptions {
  /** Programs that must be on PATH besides bpftool and ip, e.g. ["clang-19", "ping"]. */
  tools?: readonly string[];
  timeout?: number;
}

/** True when `name` is an executable on PATH. */
export function hasTool(name: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why kernel tests cannot run here, or undefined when they can. */
export function kernelSkipReason(tools: readonly string[] = []): string | undefined {
  const k = detectKernel();
  if (!k.available) return k.reason;
  const missing = tools.filter((t) => !hasTool(t));
  return missing.length > 0 ? `missing tools: ${missing.join(", ")}` : undefined;
}

/** A test that runs only with kernel access; otherwise it is skipped with a printed reason. */
export function kernelTest(
  name: string,
  fn: () => Promise<void> | void,
  options: KernelTestOptions = {},
): void {
  const reason = kernelSkipReason(options.tools);
  if (reason) console.log(`SKIPPED: ${name}: ${reason}`);
  it.skipIf(reason !== undefined)(name, fn, options.timeout);
}

/** A describe block that is skipped as a whole, with a printed reason, without kernel access. */
export function describeKernel(
  name: string,
  fn: () => void,
  options: KernelTestOptions = {},
): void {
  const reason = kernelSkipReason(options.tools);
  if (reason) console.log(`SKIPPED: ${name}: ${reason}`);
  describe.skipIf(reason !== undefined)(name, fn);
}
