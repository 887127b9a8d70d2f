// The `tsbpf` command's conventions: --help, --version, exit codes 0/1/2,
// usage errors without stack traces; and `tsbpf vm` (conformance plugin).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCliAsync as runCli } from "./run-cli.js";

const assembled = join(repoRoot, "../shared/data/bpf_conformance/assembled.json");

describe("tsbpf command", () => {
  it("prints its version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tsbpf \d+\.\d+\.\d+\n$/);
  });

  it("lists the commands with --help and exits 2 with no command", async () => {
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: tsbpf <command>");
    expect(help.stdout).toContain("vm");
    expect((await runCli([])).code).toBe(2);
  });

  it("rejects an unknown command and an unknown option with exit code 2", async () => {
    const r = await runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    const o = await runCli(["vm", "--bogus"]);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("unknown option --bogus");
    expect(o.stderr).not.toMatch(/\n\s+at /);
  });

  it("shows per-command help", async () => {
    const r = await runCli(["vm", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: tsbpf vm");
    expect(r.stdout).toContain("--batch");
  });
});

describe("tsbpf vm", () => {
  it("speaks the plugin protocol: program hex on stdin, memory hex argument, r0 hex out", async () => {
    // r0 = *(u8 *)(r1 + 1); exit   with memory 0a 2b
    const r = await runCli(["vm", "0a2b"], { stdin: "7110010000000000 9500000000000000" });
    expect(r.stdout).toBe("2b\n");
    expect(r.code).toBe(0);
  });

  it("reports a fault on stdout and exits 1", async () => {
    // r0 = *(u8 *)(r1 + 9) with 2 bytes of memory: out of bounds
    const r = await runCli(["vm", "0a2b"], { stdin: "7110090000000000 9500000000000000" });
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects bad hex with exit 1 and a message", async () => {
    const r = await runCli(["vm"], { stdin: "zz" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bad input");
  });

  it.skipIf(!existsSync(assembled))(
    "passes the whole conformance suite in batch mode",
    async () => {
      const r = await runCli(["vm", "--batch", assembled]);
      expect(r.stdout).toMatch(/^313 passed, 0 failed$/m);
      expect(r.code).toBe(0);
    },
  );
  if (!existsSync(assembled)) console.log(`SKIPPED: ${assembled} not found`);
});
