// Decides once per process whether the real kernel can serve as the oracle:
// root, bpftool and ip on PATH, bpffs mounted (mounted here if it is not),
// and a trial load of a tiny XDP object accepted by the verifier. Tests skip
// with the returned reason instead of failing or passing silently.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelError } from "./errors.js";
import { runSync } from "./exec.js";
import { BPFFS_ROOT, removePin, uniqueName } from "./resources.js";

export type KernelAvailability = { available: true } | { available: false; reason: string };

// clang-19 -O2 -target bpf -c t.c && llvm-strip-19 -g t.o, where t.c is
//   int p(void *c) __attribute__((section("xdp"))); int p(void *c) { return 2; }
//   char l[] __attribute__((section("license"))) = "GPL";
// Embedded so detection needs no compiler.
const TRIAL_OBJECT_BASE64 =
  "f0VMRgIBAQAAAAAAAAAAAAEA9wABAAAAAAAAAAAAAAAAAAAAAAAAANgAAAAAAAAAAAAAAEAAAAAA" +
  "AEAABwABALcAAAACAAAAlQAAAAAAAABHUEwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAkA" +
  "AAASAAMAAAAAAAAAAAAQAAAAAAAAAAsAAAARAAQAAAAAAAAAAAAEAAAAAAAAAAAudGV4dAB4ZHAA" +
  "bAAubGx2bV9hZGRyc2lnAGxpY2Vuc2UALnN0cnRhYgAuc3ltdGFiAAAAAAAAAAAAAAAAAAAAAAAA" +
  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACMAAAAD" +
  "AAAAAAAAAAAAAAAAAAAAAAAAAKAAAAAAAAAAMwAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAAA" +
  "AAABAAAAAQAAAAYAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAA" +
  "AAAAAAAAAAAABwAAAAEAAAAGAAAAAAAAAAAAAAAAAAAAQAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAA" +
  "CAAAAAAAAAAAAAAAAAAAABsAAAABAAAAAwAAAAAAAAAAAAAAAAAAAFAAAAAAAAAABAAAAAAAAAAA" +
  "AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAANAAAAA0z/bwAAAIAAAAAAAAAAAAAAAADTAAAAAAAAAAAA" +
  "AAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAKwAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAWAAA" +
  "AAAAAABIAAAAAAAAAAEAAAABAAAACAAAAAAAAAAYAAAAAAAAAA==";

let cached: KernelAvailability | undefined;

/** Whether the kernel oracle is usable; computed on first call, then cached. */
export function detectKernel(): KernelAvailability {
  cached ??= probe();
  return cached;
}

function probe(): KernelAvailability {
  // An explicit opt-out, so the SKIPPED path itself can be exercised.
  if (process.env.TSBPF_NO_KERNEL) {
    return { available: false, reason: "TSBPF_NO_KERNEL is set" };
  }
  if (process.platform !== "linux") return { available: false, reason: "not Linux" };
  if (process.getuid?.() !== 0) return { available: false, reason: "not running as root" };
  for (const [tool, args] of [
    ["bpftool", ["version"]],
    ["ip", ["-V"]],
  ] as const) {
    const problem = tryRun(tool, args);
    if (problem) return { available: false, reason: problem };
  }
  const bpffs = ensureBpffs();
  if (bpffs) return { available: false, reason: bpffs };
  return trialLoad();
}

function tryRun(tool: string, args: readonly string[]): string | null {
  try {
    runSync(tool, args, { timeoutMs: 10_000 });
    return null;
  } catch (e) {
    return e instanceof KernelError ? e.message.split("\n")[0]! : String(e);
  }
}

function bpffsMounted(): boolean {
  const mounts = readFileSync("/proc/mounts", "utf8");
  return mounts.split("\n").some((l) => {
    const f = l.split(" ");
    return f[1] === BPFFS_ROOT && f[2] === "bpf";
  });
}

function ensureBpffs(): string | null {
  if (bpffsMounted()) return null;
  const problem = tryRun("mount", ["-t", "bpf", "bpf", BPFFS_ROOT]);
  if (problem) return `bpffs is not mounted at ${BPFFS_ROOT} and mounting failed: ${problem}`;
  return bpffsMounted() ? null : `bpffs is not mounted at ${BPFFS_ROOT}`;
}

function trialLoad(): KernelAvailability {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-detect-"));
  const pin = join(BPFFS_ROOT, uniqueName("detect"));
  try {
    const obj = join(dir, "trial.o");
    writeFileSync(obj, Buffer.from(TRIAL_OBJECT_BASE64, "base64"));
    runSync("bpftool", ["prog", "load", obj, pin, "type", "xdp"], { timeoutMs: 20_000 });
    return { available: true };
  } catch (e) {
    const why = e instanceof KernelError ? e.message.split("\n").join(" | ") : String(e);
    return { available: false, reason: `trial load of a tiny XDP program failed: ${why}` };
  } finally {
    removePin(pin);
    rmSync(dir, { recursive: true, force: true });
  }
}
