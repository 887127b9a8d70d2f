// Golden tests of the emitted instructions, in llvm-objdump syntax (the
// bpf/disasm printer), for a handful of programs: a change in code quality
// shows up as a diff. Rewrite the expectations with UPDATE_GOLDEN=1:
//   UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { disassemble } from "../../bpf/disasm/index.js";
import { resolveLabels } from "../../bpf/isa/index.js";
import { compileFile, FIXTURES } from "./compile-fixture.js";

const PROGRAMS = [
  "eth_proto",
  "tcp_syn",
  "subprograms",
  "calls_kept",
  "ttl_decrement",
  "signed32",
  "lwt_change_head",
];
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function listing(name: string): string {
  const r = compileFile(join(FIXTURES, "programs", `${name}.ts`));
  if (!r.module) throw new Error(`${name} did not compile`);
  const parts = [`; tsbpf golden listing of programs/${name}.ts`];
  for (const f of [...r.module.programs, ...r.module.subprograms]) {
    const insns = f.insns.map((i) => ({ ...i }));
    resolveLabels(insns);
    const section = "section" in f ? (f as { section: string }).section : ".text";
    parts.push(
      disassemble(insns, {
        rawBytes: false,
        sectionName: section,
        symbols: [{ name: f.name, offset: 0 }],
      }).trimEnd(),
    );
  }
  return parts.join("\n") + "\n";
}

describe("golden instruction listings", () => {
  for (const name of PROGRAMS) {
    it(name, () => {
      const path = join(FIXTURES, "golden", `${name}.txt`);
      const text = listing(name);
      if (UPDATE || !existsSync(path)) writeFileSync(path, text);
      expect(text).toBe(readFileSync(path, "utf8"));
    });
  }
});
