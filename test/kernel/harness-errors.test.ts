// Kernel harness: failures become KernelErrors that say what happened,
// stale namespaces and pins of dead processes are swept, verifier logs are
// parsed, and without kernel access the tests say SKIPPED instead of passing.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  detectKernel,
  KernelError,
  loadWithBpftool,
  loadWithIp,
  logSaysBtfIgnored,
  netnsExists,
  processedInsnsByProgram,
  run,
  runSync,
  sweepStale,
  testRun,
} from "../../runtime/kernel/index.js";
import { hasTool, kernelTest } from "./kernel-test.js";

describe("process errors", () => {
  it("a missing command is a KernelError saying so", async () => {
    const err = await run("tsbpf-no-such-tool", ["x"]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).message).toContain("tsbpf-no-such-tool: command not found");
    expect(() => runSync("tsbpf-no-such-tool", [])).toThrow(KernelError);
  });

  it("a non-zero exit keeps command, exit code and stderr", async () => {
    const err = (await run("ls", ["/tsbpf/definitely/missing"]).catch(
      (e: unknown) => e,
    )) as KernelError;
    expect(err).toBeInstanceOf(KernelError);
    expect(err.command).toEqual(["ls", "/tsbpf/definitely/missing"]);
    expect(err.exitCode).toBe(2);
    expect(err.stderr).toContain("No such file or directory");
    expect(err.message).toContain("command: ls /tsbpf/definitely/missing");
  });

  it("a command over its time limit is killed and reported as a timeout", async () => {
    const started = Date.now();
    const err = await run("sleep", ["5"], { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect((err as KernelError).message).toContain("sleep timed out after 200 ms");
  });
});

describe("verifier log parsing", () => {
  const log = [
    "libbpf: prog 'a': -- BEGIN PROG LOAD LOG --",
    "processed 12 insns (limit 1000000) max_states_per_insn 0",
    "-- END PROG LOAD LOG --",
    "libbpf: prog 'b': -- BEGIN PROG LOAD LOG --",
    "processed 345 insns (limit 1000000)",
    "-- END PROG LOAD LOG --",
  ].join("\n");
  it("reads processed insns per program", () => {
    expect([...processedInsnsByProgram(log)]).toEqual([
      ["a", 12],
      ["b", 345],
    ]);
    expect([...processedInsnsByProgram("processed 7 insns (limit 1000000)")]).toEqual([["", 7]]);
  });
  it("spots libbpf dropping BTF", () => {
    expect(
      logSaysBtfIgnored("libbpf: Error loading .BTF into kernel: -22. BTF is optional, ignoring."),
    ).toBe(true);
    expect(logSaysBtfIgnored(log)).toBe(false);
  });
});

describe("kernel errors", () => {
  kernelTest("a bad object path is a KernelError naming the path", async () => {
    for (const attempt of [
      loadWithBpftool("/tmp/tsbpf-missing/x.o", { type: "xdp" }),
      loadWithIp("/tmp/tsbpf-missing/x.o", { hook: "xdp", section: "xdp" }),
    ]) {
      const err = await attempt.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KernelError);
      expect((err as Error).message).toContain("object file not found: /tmp/tsbpf-missing/x.o");
    }
  });

  kernelTest("a file that is not ELF: bpftool's refusal, with its log, no pins left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsbpf-bad-"));
    try {
      const bad = join(dir, "bad.o");
      writeFileSync(bad, "not an ELF object\n");
      const err = (await loadWithBpftool(bad).catch((e: unknown) => e)) as KernelError;
      expect(err).toBeInstanceOf(KernelError);
      expect(err.command.slice(0, 3)).toEqual(["bpftool", "-d", "prog"]);
      expect(err.exitCode).not.toBe(0);
      expect(err.stderr).toMatch(/libbpf: .*(elf|ELF)/);
      const pinDir = err.command[5]!;
      expect(pinDir).toMatch(/^\/sys\/fs\/bpf\/tsbpf-/);
      expect(existsSync(pinDir)).toBe(false);
      await expect(
        testRun("/sys/fs/bpf/tsbpf-no-such-pin", { data: new Uint8Array(14) }),
      ).rejects.toThrow(KernelError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  kernelTest("sweepStale removes namespaces and pins of dead pids only", async () => {
    // A pid that surely belongs to no live process: one that has just exited.
    const dead = spawnSync("true").pid!;
    const staleNs = `tsbpf-${dead}-1-stale`;
    const liveNs = `tsbpf-${process.pid}-999-live`;
    const stalePin = `/sys/fs/bpf/tsbpf-${dead}-1-stale`;
    await run("ip", ["netns", "add", staleNs]);
    await run("ip", ["netns", "add", liveNs]);
    mkdirSync(stalePin);
    try {
      const report = sweepStale();
      expect(report.namespaces).toContain(staleNs);
      expect(report.pins).toContain(`tsbpf-${dead}-1-stale`);
      expect(await netnsExists(staleNs)).toBe(false);
      expect(existsSync(stalePin)).toBe(false);
      expect(await netnsExists(liveNs)).toBe(true);
    } finally {
      await run("ip", ["netns", "del", liveNs]);
      rmSync(stalePin, { recursive: true, force: true });
      if (await netnsExists(staleNs)) await run("ip", ["netns", "del", staleNs]);
    }
  });
});

describe("cleanup of aborted runs", () => {
  for (const ending of ["process.exit(3)", 'process.kill(process.pid, "SIGTERM")']) {
    kernelTest(`a process ending with ${ending} leaves no namespace or pin`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsbpf-abort-"));
      try {
        const script = join(dir, "abort.mts");
        const harness = join(process.cwd(), "runtime/kernel/index.ts");
        writeFileSync(
          script,
          [
            `import { createNetns, uniqueName } from ${JSON.stringify(harness)};`,
            `import { mkdirSync } from "node:fs";`,
            `const ns = await createNetns("abort");`,
            `const pin = "/sys/fs/bpf/" + uniqueName("abortpin");`,
            `mkdirSync(pin);`,
            `(await import(${JSON.stringify(join(process.cwd(), "runtime/kernel/resources.ts"))})).track({ kind: "pin", path: pin });`,
            `console.log("NS=" + ns.name + " PIN=" + pin);`,
            `${ending};`,
          ].join("\n"),
        );
        const r = spawnSync("npx", ["tsx", script], { encoding: "utf8", timeout: 30_000 });
        const m = /NS=(\S+) PIN=(\S+)/.exec(r.stdout);
        expect(m, r.stdout + r.stderr).not.toBeNull();
        expect(await netnsExists(m![1]!)).toBe(false);
        expect(existsSync(m![2]!)).toBe(false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe("detection", () => {
  it("root with bpftool and bpffs means the kernel is available", () => {
    const k = detectKernel();
    const looksUsable = process.getuid?.() === 0 && hasTool("bpftool") && hasTool("ip");
    if (!looksUsable || process.env.TSBPF_NO_KERNEL) {
      expect(k.available).toBe(false);
      return;
    }
    expect(k).toEqual({ available: true });
  });

  it("without the kernel the tests say SKIPPED and are skipped, not passed", () => {
    const r = spawnSync("npx", ["vitest", "run", "test/kernel/bpftool-run.test.ts"], {
      env: { ...process.env, TSBPF_NO_KERNEL: "1" },
      encoding: "utf8",
      timeout: 60_000,
    });
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, "");
    expect(out).toContain("SKIPPED: bpftool load + test run: TSBPF_NO_KERNEL is set");
    expect(out).toMatch(/Tests\s+(\d+) skipped \(\1\)/);
    expect(out).not.toMatch(/\d+ passed/);
  }, 60_000);
});
