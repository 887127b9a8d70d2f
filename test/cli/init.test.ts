// `tsbpf init`: the generated project type-checks with plain tsc against
// this repo's stdlib (and a program using a JS global does not), its vitest
// test passes through the runtime API, and init refuses to overwrite.
// node_modules/tsbpf is laid out as the installed package will be: stdlib/
// for "tsbpf", and "tsbpf/compiler", "tsbpf/runtime" entry points.

import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot, tsbpf } from "../e2e/cli.js";

const exec = promisify(execFile);
const base = mkdtempSync(join(tmpdir(), "tsbpf-init-"));

function installFromRepo(project: string): void {
  const pkg = join(project, "node_modules/tsbpf");
  mkdirSync(pkg, { recursive: true });
  for (const d of ["stdlib", "compiler", "runtime", "bpf"])
    symlinkSync(join(repoRoot, d), join(pkg, d));
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({
      name: "tsbpf",
      type: "module",
      types: "./stdlib/index.d.ts",
      exports: {
        ".": { types: "./stdlib/index.d.ts" },
        "./compiler": "./compiler/index.ts",
        "./runtime": "./runtime/index.ts",
      },
    }),
  );
  symlinkSync(join(repoRoot, "node_modules/vitest"), join(project, "node_modules/vitest"));
}

async function tsc(project: string): Promise<{ code: number; out: string }> {
  try {
    await exec(join(repoRoot, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], { cwd: project });
    return { code: 0, out: "" };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

describe("tsbpf init", () => {
  const project = join(base, "my-filter");

  it("writes a program, a test, tsconfig.json and package.json", async () => {
    const r = await tsbpf(["init", project]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("npm test");
    for (const f of ["src/prog.ts", "test/prog.test.ts", "tsconfig.json", "package.json"]) {
      expect(existsSync(join(project, f))).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as {
      name: string;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe("my-filter");
    expect(pkg.devDependencies.tsbpf).toMatch(/^\^\d+\.\d+\.\d+$/);
    const tsconfig = JSON.parse(readFileSync(join(project, "tsconfig.json"), "utf8")) as {
      compilerOptions: { noLib: boolean; paths: Record<string, string[]> };
    };
    expect(tsconfig.compilerOptions.noLib).toBe(true);
    expect(tsconfig.compilerOptions.paths.tsbpf).toEqual([
      "./node_modules/tsbpf/stdlib/index.d.ts",
    ]);
  });

  it("type-checks with plain tsc against the stdlib alone; a JS global is an error", async () => {
    installFromRepo(project);
    expect(await tsc(project)).toEqual({ code: 0, out: "" });
    const prog = join(project, "src/prog.ts");
    const good = readFileSync(prog, "utf8");
    writeFileSync(prog, `${good}\nconsole.log("hi");\n`);
    const bad = await tsc(project);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toContain("Cannot find name 'console'");
    writeFileSync(prog, good);
  });

  it("compiles, and its vitest test passes through the runtime API", async () => {
    const build = await tsbpf(["build", "src/prog.ts", "-o", "prog.o"], { cwd: project });
    expect(build.code).toBe(0);
    const vitest = join(repoRoot, "node_modules/.bin/vitest");
    const r = await exec(vitest, ["run", "--reporter=dot"], { cwd: project, timeout: 120_000 });
    expect(r.stdout).toMatch(/2 passed/);
  });

  it("refuses to overwrite an existing project (exit 1), and needs a directory (exit 2)", async () => {
    const r = await tsbpf(["init", project]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already has package.json");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const u = await tsbpf(["init"]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("usage: tsbpf init");
  });
});
