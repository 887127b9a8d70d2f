// Start-up cost of `tsbpf build` (issue 9): ts-morph is required through
// compiler/frontend/ts-morph.ts (an ES import of it costs a scan of its
// bundle), the build path does not load the interpreter or kernel harness,
// and the V8 code cache of the ts-morph bundles is written once, reused,
// and refused (then rewritten) when damaged, with the same object each time.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { repoRoot } from "../cli/run-cli.js";

const COMPILER = join(repoRoot, "compiler");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** Module specifiers a file imports at load time (not `import type`, not `await import(...)`). */
function staticImports(text: string): string[] {
  const found: string[] = [];
  const re = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm;
  for (const m of text.matchAll(re)) found.push(m[1]!);
  return found;
}

describe("compiler start-up", () => {
  it("takes ts-morph's values from the facade only", () => {
    const offenders = tsFiles(COMPILER)
      .filter((f) => !f.endsWith(join("frontend", "ts-morph.ts")))
      .filter((f) => staticImports(readFileSync(f, "utf8")).includes("ts-morph"))
      .map((f) => relative(repoRoot, f));
    expect(offenders).toEqual([]);
  });

  it("loads no interpreter or kernel module for `build`", () => {
    const seen = new Set<string>();
    const todo = [join(COMPILER, "cli/main.ts"), join(COMPILER, "cli/commands/build.ts")];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of staticImports(readFileSync(file, "utf8"))) {
        if (!spec.startsWith(".")) continue;
        todo.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
      }
    }
    const loaded = [...seen].map((f) => relative(repoRoot, f));
    expect(loaded).toContain("compiler/index.ts");
    expect(loaded.filter((f) => f.startsWith("runtime/"))).toEqual([]);
  });
});

const PROGRAM = `import { xdp, XdpAction } from "tsbpf";
export const prog = xdp(() => XdpAction.PASS);
`;

function buildIn(dir: string, env: Record<string, string>): Promise<Uint8Array> {
  const entry = join(COMPILER, "cli/main.ts");
  return new Promise((done, fail) => {
    const args = ["--import", "tsx", entry, "build", join(dir, "p.ts"), "-o", join(dir, "p.o")];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => {
      if (code !== 0) fail(new Error(`build exited ${code}: ${stderr}`));
      else done(new Uint8Array(readFileSync(join(dir, "p.o"))));
    });
  });
}

describe("ts-morph code cache", () => {
  it("is written once, reused, and rewritten when damaged; the object never changes", async () => {
    const work = mkdtempSync(join(tmpdir(), "tsbpf-cc-test-"));
    const cache = join(work, "cache");
    try {
      writeFileSync(join(work, "p.ts"), PROGRAM);
      const expected = compile({ fileName: join(work, "p.ts"), text: PROGRAM }).object;
      expect(expected).toBeDefined();
      const env = { TSBPF_CACHE_DIR: cache };
      const listing = () =>
        readdirSync(cache)
          .sort()
          .map((f) => ({
            f,
            size: statSync(join(cache, f)).size,
            mtime: statSync(join(cache, f)).mtimeMs,
          }));

      expect(await buildIn(work, env)).toEqual(expected);
      const first = listing();
      expect(first.map((e) => e.f.replace(/-.*/, ""))).toEqual(["ts", "ts", "typescript"]);
      expect(first.every((e) => e.f.endsWith(".bin") && e.size > 100_000)).toBe(true);

      expect(await buildIn(work, env)).toEqual(expected);
      expect(listing()).toEqual(first); // accepted, so not written again

      for (const e of first) writeFileSync(join(cache, e.f), "not a code cache");
      expect(await buildIn(work, env)).toEqual(expected);
      // Refused by V8 and written again (the size varies with the functions compiled).
      const rewritten = listing();
      expect(rewritten.map((e) => e.f)).toEqual(first.map((e) => e.f));
      expect(rewritten.every((e) => e.size > 100_000)).toBe(true);

      const off = join(work, "off");
      expect(await buildIn(work, { TSBPF_CACHE_DIR: off, TSBPF_CODE_CACHE: "0" })).toEqual(
        expected,
      );
      expect(() => readdirSync(off)).toThrow();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 240_000);
});
