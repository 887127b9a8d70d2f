// The bpf_conformance plugin protocol: the program as hex bytes on stdin,
// the input memory as hex in the first argument (plugin options may follow
// and are ignored), r0 printed in hex on stdout. On a fault: the message on
// stdout and stderr, exit status 1 (the suite compares stdout with a test's
// expected error when it has one).
// Usage: npx tsx runtime/conformance/plugin.ts [memory-hex] < program-hex

import { readFileSync } from "node:fs";
import { parseHex, runConformance } from "./suite.js";

function main(argv: string[]): number {
  let program: Uint8Array;
  let memory: Uint8Array;
  try {
    program = parseHex(readFileSync(0, "utf8"));
    memory = parseHex(argv[0] ?? "");
  } catch (e) {
    const msg = `bad input: ${(e as Error).message}`;
    console.log(msg);
    console.error(msg);
    return 1;
  }
  const result = runConformance(program, memory);
  if (!result.ok) {
    console.log(result.fault.message);
    console.error(result.fault.message);
    return 1;
  }
  console.log(result.r0.toString(16));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
