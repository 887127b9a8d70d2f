// `tsbpf vm`: the interpreter as a bpf_conformance plugin (program hex on
// stdin, memory hex as the first argument, r0 in hex on stdout), and a batch
// mode over the suite's assembled.json printing `N passed, M failed`.

import { existsSync, readFileSync } from "node:fs";
import { loadCases, parseHex, runAll, runConformance } from "../../../runtime/conformance/suite.js";
import { UsageError, flag } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.js";

export const vmCommand: Command = {
  name: "vm",
  summary: "run raw BPF code as a bpf_conformance plugin, or the whole suite with --batch",
  usage: "tsbpf vm [MEMORY_HEX] < PROGRAM_HEX | tsbpf vm --batch ASSEMBLED_JSON",
  options: [
    {
      name: "batch",
      takesValue: false,
      description: "run every case of a bpf_conformance assembled.json given as the argument",
    },
  ],
  async run(args, io) {
    if (flag(args, "batch")) {
      const path = args.positionals[0];
      if (!path) throw new UsageError("--batch needs the path of assembled.json");
      if (!existsSync(path)) {
        io.err(`tsbpf vm: ${path}: no such file\n`);
        return EXIT_FAILURE;
      }
      const outcomes = runAll(loadCases(path));
      const failed = outcomes.filter((o) => !o.passed);
      for (const f of failed) {
        const got = f.result.ok ? `r0=0x${f.result.r0.toString(16)}` : f.result.fault.message;
        io.out(`FAIL ${f.name}: expected 0x${f.expected.toString(16)}, got ${got}\n`);
      }
      io.out(`${outcomes.length - failed.length} passed, ${failed.length} failed\n`);
      return failed.length === 0 ? EXIT_OK : EXIT_FAILURE;
    }
    let program: Uint8Array;
    let memory: Uint8Array;
    try {
      program = parseHex(checkedHex(readFileSync(0, "utf8"), "program on stdin"));
      memory = parseHex(checkedHex(args.positionals[0] ?? "", "memory argument"));
    } catch (e) {
      io.out(`bad input: ${(e as Error).message}\n`);
      io.err(`tsbpf vm: bad input: ${(e as Error).message}\n`);
      return EXIT_FAILURE;
    }
    const result = runConformance(program, memory);
    if (!result.ok) {
      // The suite compares stdout with a test's expected error message.
      io.out(`${result.fault.message}\n`);
      io.err(`tsbpf vm: ${result.fault.message}\n`);
      return EXIT_FAILURE;
    }
    io.out(`${result.r0.toString(16)}\n`);
    return EXIT_OK;
  },
};

function checkedHex(text: string, what: string): string {
  const digits = text.replace(/\s+/g, "");
  if (!/^[0-9a-fA-F]*$/.test(digits) || digits.length % 2 !== 0) {
    throw new Error(`the ${what} is not hex bytes`);
  }
  return digits;
}
