// compileEach (the CLI's `tsbpf build a.ts b.ts ...`) compiles isolated
// modules in one shared TypeScript program; every result must be exactly
// what compile() gives for that input alone: objects, diagnostics, and
// what one input can see of another (nothing).

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileEach } from "../../compiler/compile-each.js";
import { findStdlib, type SourceInput } from "../../compiler/frontend/project.js";
import { sharedFrontends } from "../../compiler/frontend/shared-project.js";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { repoRoot } from "../cli/run-cli.js";

const H = 'import { xdp, XdpAction } from "tsbpf";\n';
const prog = (expr: string) =>
  `${H}export const p = xdp((ctx) => (${expr} > 0 ? XdpAction.PASS : XdpAction.DROP));\n`;

const corpus = (): SourceInput[] => {
  const dir = join(repoRoot, "bench", "corpus");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => ({ fileName: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
};

/** A result as bytes and printed diagnostics, for exact comparison. */
const shape = (r: ReturnType<typeof compile>) => ({
  object: r.object ? Buffer.from(r.object).toString("hex") : undefined,
  diagnostics: r.diagnostics.map((d) => formatDiagnostic(d)),
});

function expectSameAsAlone(inputs: SourceInput[]): void {
  const each = compileEach(inputs);
  inputs.forEach((input, k) =>
    expect(shape(each[k]!), input.fileName).toEqual(shape(compile(input))),
  );
}

describe("compileEach", () => {
  it("shares one program between isolated modules, and gives compile()'s objects", () => {
    const inputs = corpus();
    const shared = sharedFrontends(inputs, findStdlib()!);
    expect(shared.every((fe) => fe !== undefined)).toBe(true);
    expect(new Set(shared.map((fe) => fe!.program)).size).toBe(1);
    expectSameAsAlone(inputs);
  }, 120_000);

  it("does not let a script's globals or a global augmentation reach another input", () => {
    const inputs: SourceInput[] = [
      { fileName: "/each/script.ts", text: "function helper(): u32 { return 1; }\n" },
      {
        fileName: "/each/augment.ts",
        text: `${H}declare global { const MAGIC: u32; }\nexport const q = xdp(() => XdpAction.PASS);\n`,
      },
      { fileName: "/each/uses-helper.ts", text: prog("helper()") },
      { fileName: "/each/uses-magic.ts", text: prog("MAGIC") },
      { fileName: "/each/clean.ts", text: prog("1") },
      { fileName: "/each/clean2.ts", text: prog("2") },
    ];
    const shared = sharedFrontends(inputs, findStdlib()!);
    expect(shared.map((fe) => fe !== undefined)).toEqual([false, false, true, true, true, true]);
    const each = compileEach(inputs);
    expect(each[2]!.diagnostics.map((d) => d.message).join("\n")).toContain("helper");
    expect(each[3]!.diagnostics.map((d) => d.message).join("\n")).toContain("MAGIC");
    expectSameAsAlone(inputs);
  }, 120_000);

  it("reports errors, imports of other files and repeated inputs as compile() does", () => {
    const inputs: SourceInput[] = [
      { fileName: "/each/a.ts", text: prog("1") },
      { fileName: "/each/bad-type.ts", text: `${H}const x: u8 = "no";\n${prog("x")}` },
      { fileName: "/each/imports.ts", text: `import { y } from "./a";\n${prog("y")}` },
      { fileName: "/each/a.ts", text: prog("1") },
      { fileName: "/each/deep.ts", text: prog(`${"(".repeat(2000)}1${")".repeat(2000)}`) },
      { fileName: "/each/b.ts", text: prog("3") },
    ];
    expectSameAsAlone(inputs);
  }, 120_000);
});
