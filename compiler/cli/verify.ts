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

// A program near the verifier's one-million-instruction limit takes a minute
// with bpftool's debug log on; its log runs to tens of megabytes.
const VERIFY_TIMEOUT_MS = 180_000;

/**
 * The log with the verifier's verdict. bpftool -d's log can be cut short (a
 * timeout on a huge program); without -d, libbpf still prints the verifier
 * log of a failed load, and the kernel keeps its tail.
 */
async function rejectionLog(path: string, first: KernelError): Promise<string> {
  if (first.stderr.includes("-- END PROG LOAD LOG --")) return first.stderr;
  const pinDir = mkdtempSync(join("/sys/fs/bpf", "tsbpf-verify-"));
  try {
    await run("bpftool", ["prog", "loadall", path, join(pinDir, "p")], {
      timeoutMs: VERIFY_TIMEOUT_MS,
    });
    return first.stderr;
  } catch (e) {
    return e instanceof KernelError ? e.stderr : first.stderr;
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
    const handle = await loadWithBpftool(path, { timeoutMs: VERIFY_TIMEOUT_MS });
    const outcome: VerifyOutcome = {
      status: "accepted",
      processedInsns: handle.verifierProcessedInsns,
      btfIgnored: handle.btfIgnored,
    };
    handle.dispose();
    return outcome;
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    return { status: "rejected", ...explainRejection(await rejectionLog(path, e)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
