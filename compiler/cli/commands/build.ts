// `tsbpf build <file.ts>... [-o out.o] [--verify] [--json]`: one object per
// input, written next to it (or to -o with a single input). --verify loads
// each object through the kernel's verifier and reports a rejection at the
// TypeScript line.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { compileEach } from "../../compile-each.js";
import type { CompileResult, SourceInput } from "../../index.js";
import { UsageError, flag, value } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK, type Io } from "../command.js";
import { diagnosticsJson, printDiagnostics } from "../diagnostics-output.js";
import { readSource } from "../read-sources.js";
import type { VerifyOutcome } from "../verify.js";

interface BuildReport {
  input: string;
  output?: string;
  diagnostics: unknown[];
  verify?: unknown;
  error?: string;
}

export const buildCommand: Command = {
  name: "build",
  summary: "compile tsbpf programs to BPF ELF objects",
  usage: "tsbpf build <file.ts>... [-o out.o] [--verify] [--json]",
  options: [
    {
      name: "output",
      short: "o",
      takesValue: true,
      valueName: "FILE",
      description: "where to write the object (only with one input; default: next to the input)",
    },
    {
      name: "verify",
      takesValue: false,
      description: "load the object through the kernel verifier and report its verdict",
    },
    { name: "json", takesValue: false, description: "print the results as JSON on stdout" },
  ],
  async run(args, io) {
    const inputs = args.positionals;
    if (inputs.length === 0) throw new UsageError("no input file; give one or more .ts files");
    const output = value(args, "output");
    if (output && inputs.length > 1) throw new UsageError("-o needs exactly one input file");
    const json = flag(args, "json");
    const reports: BuildReport[] = [];
    let failed = false;
    // Every input is compiled first (together: compileEach shares the stdlib's
    // types between them), then reported and written in the order given.
    const sources = inputs.map((input) => readSource(input, io));
    const readable = sources.filter((s): s is SourceInput => typeof s !== "string");
    const results = compileEach(readable);
    for (const [k, input] of inputs.entries()) {
      const source = sources[k]!;
      const result = typeof source === "string" ? source : results[readable.indexOf(source)]!;
      const report = await buildOne(input, result, output, flag(args, "verify"), json, io);
      if (report.error || report.diagnostics.length > 0 || isRejected(report)) failed = true;
      reports.push(report);
    }
    if (json) io.out(`${JSON.stringify(reports, null, 2)}\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};

function isRejected(r: BuildReport): boolean {
  return (r.verify as { status?: string } | undefined)?.status === "rejected";
}

function objectPath(input: string, output: string | undefined, io: Io): string {
  if (output) return resolve(io.cwd, output);
  return resolve(io.cwd, input.replace(/\.[cm]?ts$/, "") + ".o");
}

/** Reports one input's compile (or why it could not be read), writes its object, verifies it. */
async function buildOne(
  input: string,
  result: CompileResult | string,
  output: string | undefined,
  verify: boolean,
  json: boolean,
  io: Io,
): Promise<BuildReport> {
  if (typeof result === "string") {
    if (!json) io.err(`tsbpf build: ${result}\n`);
    return { input, diagnostics: [], error: result };
  }
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!json) printDiagnostics(result.diagnostics, io);
  if (!result.object || errors.length > 0) {
    return { input, diagnostics: diagnosticsJson(result.diagnostics) };
  }
  const out = objectPath(input, output, io);
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, result.object);
  } catch (e) {
    const error = `cannot write ${out}: ${(e as Error).message}`;
    if (!json) io.err(`tsbpf build: ${error}\n`);
    return { input, diagnostics: [], error };
  }
  if (!json) io.out(`wrote ${out} (${result.object.length} bytes)\n`);
  const report: BuildReport = { input, output: out, diagnostics: [] };
  if (verify) {
    // Loaded only here: it brings the kernel harness, which plain builds do not need.
    const { verifyObject } = await import("../verify.js");
    const outcome = await verifyObject(result.object);
    report.verify = outcome;
    if (!json) printVerify(outcome, io);
  }
  return report;
}

function printVerify(outcome: VerifyOutcome, io: Io): void {
  switch (outcome.status) {
    case "accepted":
      io.out(
        `verifier: accepted (${outcome.processedInsns ?? "?"} instructions processed)` +
          `${outcome.btfIgnored ? "; warning: libbpf dropped the BTF" : ""}\n`,
      );
      return;
    case "unavailable":
      io.err(`verifier: not run: ${outcome.reason}\n`);
      return;
    case "rejected": {
      const at = outcome.source;
      io.err(
        at
          ? `${at.file}:${at.line}: the kernel verifier rejected the program: ${outcome.message}\n  ${at.line} | ${at.text}\n`
          : `the kernel verifier rejected the program: ${outcome.message}\n`,
      );
      return;
    }
  }
}
