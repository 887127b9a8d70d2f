// `tsbpf build --verify`: loads the object through the kernel's verifier
// (bpftool) and, on rejection, points at the TypeScript line the verifier
// was looking at. The verifier log carries our BTF line info as
// `; <source text> @ <file>:<line>` comments before the instructions, so the
// last such comment before the error names the line.

import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelError, detectKernel, loadWithBpftool, run } from "../../runtime/kernel/index.js";

export type VerifyOutcome =
  | { status: "accepted"; processedInsns: number | undefined; btfIgnored: boolean }
  | { status: "rejected"; message: string; source?: { file: string; line: number; text: string } }
  | { status: "unavailable"; reason: string };

// A program near the verifier's one-million-instruction limit takes seconds
// to verify and its log runs to tens of megabytes (a minute with bpftool's
// debug output on).
const VERIFY_TIMEOUT_MS = 180_000;

/**
 * A plain `bpftool prog loadall`: fast, and on failure libbpf still prints
 * the verifier's log (the kernel keeps its tail). Returns that log, or
 * undefined when the object loaded.
 */
async function plainLoad(path: string): Promise<string | undefined> {
  const pinDir = mkdtempSync(join("/sys/fs/bpf", "tsbpf-verify-"));
  try {
    await run("bpftool", ["prog", "loadall", path, join(pinDir, "p")], {
      timeoutMs: VERIFY_TIMEOUT_MS,
    });
    return undefined;
  } catch (e) {
    if (e instanceof KernelError) return e.stderr;
    throw e;
  } finally {
    rmSync(pinDir, { recursive: true, force: true });
  }
}

const LINE_COMMENT = /^; (.*) @ (\S+):(\d+)$/;

/** The verifier's complaint and the source line it was at. */
export function explainRejection(log: string): {
  message: string;
  source?: { file: string; line: number; text: string };
} {
  const lines = log.split("\n").map((l) => l.trimEnd());
  let source: { file: string; line: number; text: string } | undefined;
  let lastSourceIndex = -1;
  lines.forEach((l, i) => {
    const m = LINE_COMMENT.exec(l);
    if (m) {
      source = { text: m[1]!, file: m[2]!, line: Number(m[3]) };
      lastSourceIndex = i;
    }
  });
  // The verifier's own message is the first line after the last instruction
  // trace that is neither an instruction (`N: (..)`) nor a register state.
  const after = lines.slice(lastSourceIndex + 1);
  const reason =
    after.find(
      (l) =>
        l.length > 0 &&
        !/^\d+: /.test(l) &&
        !/^;/.test(l) &&
        !/^(libbpf|processed|verification time|stack depth|Error|-- END)/.test(l),
    ) ?? "the verifier rejected the program";
  return source ? { message: reason, source } : { message: reason };
}

export async function verifyObject(object: Uint8Array): Promise<VerifyOutcome> {
  const kernel = detectKernel();
  if (!kernel.available) return { status: "unavailable", reason: kernel.reason };
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-verify-"));
  const path = join(dir, "prog.o");
  writeFileSync(path, object);
  try {
    const rejection = await plainLoad(path);
    if (rejection !== undefined) return { status: "rejected", ...explainRejection(rejection) };
    // Accepted: load again with the debug log for the processed-instruction count.
    const handle = await loadWithBpftool(path, { timeoutMs: VERIFY_TIMEOUT_MS });
    const outcome: VerifyOutcome = {
      status: "accepted",
      processedInsns: handle.verifierProcessedInsns,
      btfIgnored: handle.btfIgnored,
    };
    handle.dispose();
    return outcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
