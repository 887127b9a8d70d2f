// `tsbpf build` and `tsbpf check` as a user runs them: objects written,
// diagnostics with file:line:column and a code frame, exit codes, bad input
// (missing file, syntax error, unsupported construct, verifier rejection).

import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kernelTest } from "../kernel/kernel-test.js";
import { runCliAsync as runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-cli-"));
function source(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const PASS_PROGRAM = `import { xdp, XdpAction } from "tsbpf";
export const pass_all = xdp((ctx) => XdpAction.PASS);
`;

// Compiles (the loop has a constant bound) but the verifier gives up after a
// million processed instructions.
const TOO_LONG = `import { xdp, XdpAction } from "tsbpf";
export const p = xdp((ctx) => {
  let s: u32 = 0;
  for (let i: u32 = 0; i < 5000000; i++) {
    s = s + ((s >> 3) ^ i);
  }
  return s === 7 ? XdpAction.DROP : XdpAction.PASS;
});
`;

describe("tsbpf build", () => {
  it("writes an ELF object for the BPF machine next to the input", async () => {
    const input = source("pass.ts", PASS_PROGRAM);
    const r = await runCli(["build", input]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const obj = readFileSync(join(dir, "pass.o"));
    expect([...obj.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(obj.readUInt16LE(18)).toBe(247); // e_machine EM_BPF
  });

  it("honours -o", async () => {
    const input = source("pass2.ts", PASS_PROGRAM);
    const out = join(dir, "custom-name.o");
    expect((await runCli(["build", input, "-o", out])).code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("refuses -o with several inputs (usage error, exit 2)", async () => {
    const a = source("a.ts", PASS_PROGRAM);
    const b = source("b.ts", PASS_PROGRAM);
    const r = await runCli(["build", a, b, "-o", join(dir, "x.o")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("-o needs exactly one input file");
  });

  it("says a missing file is missing, exit 1, no stack trace", async () => {
    const r = await runCli(["build", join(dir, "nope.ts")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.ts: no such file");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("reports a syntax error at file:line:column with a code frame", async () => {
    const input = source(
      "syntax.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  return XdpAction.PASS\n`,
    );
    const r = await runCli(["build", input]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/syntax\.ts:\d+:\d+ - error TSB\d+/);
    expect(r.stderr).toMatch(/\n\d+ \| /);
    expect(existsSync(join(dir, "syntax.o"))).toBe(false);
  });

  it("refuses an unsupported construct and says what to write instead", async () => {
    const input = source(
      "unsupported.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  const x = [1, 2];\n  return XdpAction.PASS;\n});\n`,
    );
    const r = await runCli(["build", input]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unsupported.ts:3:13 - error");
    expect(r.stderr).toContain("= help:");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints diagnostics as JSON with --json", async () => {
    const input = source(
      "unsupported2.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  const x = [1, 2];\n  return XdpAction.PASS;\n});\n`,
    );
    const r = await runCli(["build", input, "--json"]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as { diagnostics: { line: number; code: string }[] }[];
    expect(reports[0]!.diagnostics[0]).toMatchObject({ line: 3 });
  });

  kernelTest("--verify reports the kernel's acceptance", async () => {
    const input = source("verify-ok.ts", PASS_PROGRAM);
    const r = await runCli(["build", input, "--verify"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verifier: accepted \(\d+ instructions processed\)/);
  });

  kernelTest(
    "--verify reports a verifier rejection at the TypeScript line",
    async () => {
      const input = source("too_long.ts", TOO_LONG);
      const r = await runCli(["build", input, "--verify"]);
      expect(r.code).toBe(1);
      // The verifier stops inside the loop: at its test (line 4) or, once the loop is
      // rotated so the test sits at the bottom of the body, at the body (line 5).
      const at = /too_long\.ts:(\d+): the kernel verifier rejected the program/.exec(r.stderr);
      expect(at, r.stderr).not.toBeNull();
      const line = Number(at![1]);
      expect([4, 5]).toContain(line);
      expect(r.stderr).toContain("BPF program is too large");
      expect(r.stderr).toContain(TOO_LONG.split("\n")[line - 1]!.trim());
    },
    { timeout: 180_000 },
  );
});

describe("tsbpf check", () => {
  it("says nothing is wrong with a good program, exit 0, and writes no object", async () => {
    const input = source("check-ok.ts", PASS_PROGRAM);
    const r = await runCli(["check", input]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no problems");
    expect(existsSync(join(dir, "check-ok.o"))).toBe(false);
  });

  it("reports every error in one run", async () => {
    const input = source(
      "two-errors.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  const a = [1];\n  const b = { ...a };\n  return XdpAction.PASS;\n});\n`,
    );
    const r = await runCli(["check", input, "--json"]);
    expect(r.code).toBe(1);
    const diags = JSON.parse(r.stdout) as { line: number }[];
    expect(new Set(diags.map((d) => d.line))).toEqual(new Set([3, 4]));
  });
});
