// `tsbpf watch`: a short-lived child process that builds once, rebuilds on
// each save (reporting errors without stopping), and exits 0 when killed
// with SIGTERM. A missing file is exit 1 at once.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot, tsbpf } from "../e2e/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-watch-"));
const PASS = `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => XdpAction.PASS);\n`;
const DROP = `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => XdpAction.DROP);\n`;
const BROKEN = `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n`;

describe("tsbpf watch", () => {
  it("builds, rebuilds on change, reports errors and keeps going, exits 0 on SIGTERM", async () => {
    const src = join(dir, "prog.ts");
    const out = join(dir, "out.o");
    writeFileSync(src, PASS);
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const child = spawn(
      process.execPath,
      ["--import", tsx, join(repoRoot, "compiler/cli/main.ts"), "watch", src, "-o", out],
      { env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
    const waitFor = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 600 && !pred(); i++) await new Promise((r) => setTimeout(r, 100));
      if (!pred())
        throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
    };
    const wrote = () => (stdout.match(/wrote .*out\.o/g) ?? []).length;
    try {
      await waitFor(() => stdout.includes("watching") && wrote() === 1, "the first build");
      const firstSize = statSync(out).size;

      writeFileSync(src, BROKEN);
      await waitFor(() => /\d+ errors?, nothing written/.test(stdout), "the error report");
      expect(stderr).toMatch(/prog\.ts:\d+:\d+ - error/);
      expect(statSync(out).size).toBe(firstSize);

      writeFileSync(src, DROP);
      await waitFor(() => wrote() === 2, "the rebuild");
      expect(existsSync(out)).toBe(true);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 120_000);

  it("says a missing file is missing (exit 1) and needs an input (exit 2)", async () => {
    const r = await tsbpf(["watch", join(dir, "nope.ts")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.ts: no such file");
    expect((await tsbpf(["watch"])).code).toBe(2);
  });
});

process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
