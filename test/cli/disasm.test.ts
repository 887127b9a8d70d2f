// `tsbpf disasm`: instructions in llvm-objdump syntax with the source lines
// from BTF line info; clear errors for a missing file or a non-BPF file.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCliAsync as runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-disasm-"));

describe("tsbpf disasm", () => {
  it("interleaves the TypeScript source lines of a program it built", async () => {
    const src = join(dir, "drop_ttl1.ts");
    writeFileSync(
      src,
      `import { xdp, XdpAction, type EthHdr } from "tsbpf";\n` +
        `export const guard = xdp((ctx) => {\n` +
        `  const eth = ctx.header<EthHdr>(0);\n` +
        `  return eth ? XdpAction.PASS : XdpAction.DROP;\n` +
        `});\n`,
    );
    expect((await runCli(["build", src])).code).toBe(0);
    const r = await runCli(["disasm", join(dir, "drop_ttl1.o")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("xdp: <guard>:");
    expect(r.stdout).toMatch(
      /; return eth \? XdpAction\.PASS : XdpAction\.DROP;\s+@ .*drop_ttl1\.ts:4/,
    );
    expect(r.stdout).toMatch(/^\s+\d+:\texit$/m);
  });

  it("shows C source lines of a clang-19 object", async () => {
    const r = await runCli(["disasm", join(repoRoot, "test/fixtures/clang/calls.o")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(".text: <square> (subprogram):");
    expect(r.stdout).toContain("; return x * x;  @ ./calls.c:12");
    expect(r.stdout).toContain("w0 *= w0");
  });

  it("fails clearly on a missing file and on a file that is not a BPF object", async () => {
    const missing = await runCli(["disasm", join(dir, "missing.o")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing.o: no such file");
    const junk = join(dir, "junk.o");
    writeFileSync(junk, "this is not an ELF file at all");
    const r = await runCli(["disasm", junk]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not a BPF object we can read");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
