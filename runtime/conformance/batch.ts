// Batch mode over the suite's assembled.json: prints `N passed, M failed`
// and the failing names with what they returned.
// Usage: npx tsx runtime/conformance/batch.ts [path/to/assembled.json]

import { existsSync } from "node:fs";
import { loadCases, runAll } from "./suite.js";

const DEFAULT_PATH = "../shared/data/bpf_conformance/assembled.json";

function main(argv: string[]): number {
  const path = argv[0] ?? DEFAULT_PATH;
  if (!existsSync(path)) {
    console.log(`SKIPPED: ${path} not found`);
    return 0;
  }
  const outcomes = runAll(loadCases(path));
  const failed = outcomes.filter((o) => !o.passed);
  console.log(`${outcomes.length - failed.length} passed, ${failed.length} failed`);
  for (const f of failed) {
    const got = f.result.ok ? `r0=0x${f.result.r0.toString(16)}` : f.result.fault.message;
    console.log(`  ${f.name}: expected 0x${f.expected.toString(16)}, got ${got}`);
  }
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
