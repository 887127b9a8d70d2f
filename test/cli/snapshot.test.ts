// bin/tsbpf, the installed command, starts node from the start-up snapshot
// that `npm run build` makes (dist/snapshot/tsbpf.blob). Whatever it starts
// from, it must behave exactly like the plain CLI (dist/compiler/cli/main.js):
// the same objects, diagnostics, output and exit codes. These tests need the
// build (`npm run build`, part of the README's set-up) to be current.

import { spawn } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { repoRoot } from "./run-cli.js";

const LAUNCHER = join(repoRoot, "bin", "tsbpf");
const PLAIN = join(repoRoot, "dist", "compiler", "cli", "main.js");
const BLOB = join(repoRoot, "dist", "snapshot", "tsbpf.blob");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

const launcher = (args: readonly string[], cwd: string) => run(LAUNCHER, args, cwd);
const plain = (args: readonly string[], cwd: string) =>
  run(process.execPath, [PLAIN, ...args], cwd);

/** What bin/tsbpf compares with the stamp: `stat -L -c %s-%Y-%i` of node. */
function nodeKey(node: string): string {
  const st = statSync(node);
  return `${st.size}-${Math.floor(st.mtimeMs / 1000)}-${st.ino}`;
}

const BROKEN = `import { xdp, XdpAction } from "tsbpf";
export const prog = xdp((ctx) => {
  const n: u8 = ctx.data_end;
  console.log(n);
  return XdpAction.PASS;
});
`;

describe("bin/tsbpf and the start-up snapshot", () => {
  let work = "";
  const programs: string[] = [];
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "tsbpf-snapshot-test-"));
    const corpus = join(repoRoot, "bench", "corpus");
    for (const f of readdirSync(corpus).filter((f) => f.endsWith(".ts"))) {
      cpSync(join(corpus, f), join(work, f));
      programs.push(f);
    }
    for (const f of readdirSync(join(repoRoot, "examples")).filter((f) =>
      /^[a-z_]+\.ts$/.test(f),
    )) {
      cpSync(join(repoRoot, "examples", f), join(work, `example_${f}`));
      programs.push(`example_${f}`);
    }
    writeFileSync(join(work, "broken.ts"), BROKEN);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("has a snapshot made by this node, so the launcher uses it", () => {
    const [builtBy] = readFileSync(`${BLOB}.node`, "utf8").split("\n");
    expect(builtBy).toBe(nodeKey(process.execPath));
  });

  it("builds every corpus program and example to the bytes compile() gives", async () => {
    const r = await launcher(["build", ...programs], work);
    for (const f of programs) {
      const text = readFileSync(join(work, f), "utf8");
      const expected = compile({ fileName: f, text }); // the CLI names inputs as given
      const o = join(work, f.replace(/\.ts$/, ".o"));
      if (expected.object) {
        expect(new Uint8Array(readFileSync(o)), f).toEqual(expected.object);
      } else {
        expect(r.stderr, f).toContain(expected.diagnostics[0]!.message);
      }
    }
  }, 300_000);

  it("prints the same diagnostics, output and exit codes as the plain CLI", async () => {
    const cases = [
      ["build", "broken.ts"],
      ["build", "broken.ts", "--json"],
      ["check", "broken.ts"],
      ["build", "missing.ts"],
      ["build"],
      ["--version"],
      ["--help"],
      ["build", "--help"],
      ["nonsense"],
    ];
    for (const args of cases) {
      const [a, b] = await Promise.all([launcher(args, work), plain(args, work)]);
      expect(a, args.join(" ")).toEqual(b);
    }
  }, 300_000);

  // The snapshot's TypeScript is trimmed (scripts/snapshot-trim-typescript.ts):
  // every error path of the checker that the fixtures reach must still be there.
  it("checks every test fixture with the plain CLI's diagnostics", async () => {
    const fixtures = join(repoRoot, "test", "fixtures");
    const files = readdirSync(fixtures, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .sort()
      .map((f) => join("test", "fixtures", f));
    const args = ["check", ...files];
    const [a, b] = await Promise.all([launcher(args, repoRoot), plain(args, repoRoot)]);
    expect(a.stderr).toContain("TSB"); // the reject fixtures were reported
    expect(a).toEqual(b);
  }, 300_000);

  it("runs a program in the interpreter like the plain CLI", async () => {
    const args = ["run", "parse_v4.ts", "--packet", "00".repeat(64)];
    const [a, b] = await Promise.all([launcher(args, work), plain(args, work)]);
    expect(a.code).toBe(0);
    expect(a).toEqual(b);
  }, 300_000);

  // V8 refuses a snapshot made with other flags ("Failed to load the startup
  // snapshot"), and NODE_OPTIONS can carry V8 flags: the launcher must then
  // run the plain CLI rather than fail.
  it("builds when NODE_OPTIONS holds V8 flags", async () => {
    const env = { NODE_OPTIONS: "--max-old-space-size=3000" };
    const r = await run(LAUNCHER, ["build", "parse_v4.ts", "-o", "with-options.o"], work, env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const expected = compile({
      fileName: "parse_v4.ts",
      text: readFileSync(join(work, "parse_v4.ts"), "utf8"),
    });
    expect(new Uint8Array(readFileSync(join(work, "with-options.o")))).toEqual(expected.object);
  }, 300_000);
});
