// The README's quick start, followed literally: the shell block between the
// quickstart markers runs with bash -e from the repository root (as a user
// pastes it after the setup commands), writing, testing, building and
// attaching a program in namespaces of its own; its output must show the
// interpreter's XDP_DROP, the verifier's acceptance, the attached program,
// answered pings and no UDP datagram to port 9999 getting through.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { runSync } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { repoRoot } from "./cli.js";

function quickStartBlock(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const m = /<!-- quickstart:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- quickstart:end -->/.exec(
    readme,
  );
  if (!m) throw new Error("README.md has no quickstart block");
  return m[1]!;
}

function bash(script: string): Promise<{ code: number | null; out: string; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-e", script], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, pid: child.pid! });
    });
  });
}

describeKernel(
  "README quick start",
  () => {
    kernelTest(
      "runs as written and ends with the program dropping UDP to port 9999 on a veth",
      async () => {
        // The setup commands build the CLI into dist/; do that step if it was skipped.
        if (!existsSync(join(repoRoot, "dist/compiler/cli/main.js"))) {
          runSync("npm", ["run", "--silent", "build"], { timeoutMs: 600_000, okCodes: [0, 1, 2] });
        }
        const dir = mkdtempSync(join(tmpdir(), "tsbpf-qs-"));
        const script = join(dir, "quickstart.sh");
        writeFileSync(script, quickStartBlock());
        let pid = 0;
        try {
          const r = await bash(script);
          pid = r.pid;
          expect(r.out).toContain("retval    1 (XDP_DROP)");
          expect(r.out).toMatch(/verifier: accepted/);
          expect(r.out).toMatch(/prog\/xdp id \d+/);
          expect(r.out).toContain("2 packets transmitted, 2 received");
          expect(r.out).toContain("port 9999 received 0 datagrams");
          expect(r.code).toBe(0);
        } finally {
          rmSync(dir, { recursive: true, force: true });
          for (const f of ["my_filter.ts", "my_filter.o"])
            rmSync(join(repoRoot, f), { force: true });
          // Left behind only when a step failed before the block's own cleanup.
          for (const side of ["a", "b"]) {
            runSync("ip", ["netns", "del", `tsbpf-qs-${pid}-${side}`], { okCodes: [0, 1, 255] });
          }
        }
      },
      { tools: ["ping", "python3"], timeout: 300_000 },
    );
  },
  { tools: ["ping", "python3"] },
);
