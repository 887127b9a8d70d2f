// Front-end robustness (issue 8): imports without a module string and inputs
// nested past the limits end in one ordinary diagnostic, never an internal
// compiler error or a stack overflow; the shared project does not leak one
// compile's files into the next.

import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { MAX_NESTING, MAX_OPERANDS } from "../../compiler/frontend/limits.js";

const H = 'import { xdp, XdpAction } from "tsbpf";\n';
const PROG = "export const prog = xdp((ctx) => (f(1) > 0 ? XdpAction.PASS : XdpAction.DROP));\n";
const fn = (body: string) => `${H}function f(x: u32): u32 {\n${body}\n}\n${PROG}`;

function codes(text: string): string[] {
  return compile({ fileName: "t.ts", text }).diagnostics.map((d) => d.code);
}

describe("front end limits", () => {
  it.each(["import{\n", "import xdp,\n", "import { xdp } from 5;\n"])(
    "%j: a syntax error, no internal error",
    (text) => {
      const c = codes(text);
      expect(c).not.toContain("TSB9001");
      expect(c).toContain("TSB1603");
    },
  );

  const deep: [string, string][] = [
    ["parentheses", fn(`return ${"(".repeat(1000)}x${")".repeat(1000)};`)],
    ["nested sums", fn(`return ${"x + (".repeat(1000)}1${")".repeat(1000)};`)],
    ["nested ifs", fn(`${"if (x > 0) {\n".repeat(1000)}x = 1;\n${"}\n".repeat(1000)}return x;`)],
    ["unclosed brackets", fn(`return ${"[".repeat(1000)}`)],
    ["ternaries", fn(`return ${"x > 0 ? 1 : ".repeat(1000)}0;`)],
    ["ifs without braces", fn(`${"if (x > 0) ".repeat(1000)}x = 1;\nreturn x;`)],
    ["unary operators", fn(`return ${"~".repeat(5000)}x;`)],
  ];
  it.each(deep)("%s nested 1000 deep: one TSB1601", (_, text) => {
    expect(codes(text)).toEqual(["TSB1601"]);
  });

  it("a flat 10k-operand sum: one TSB1602", () => {
    expect(codes(fn(`return ${Array(10_000).fill("x").join(" + ")};`))).toEqual(["TSB1602"]);
  });

  it("programs within the limits compile", () => {
    const ok = [
      fn(`return ${"(".repeat(MAX_NESTING - 10)}x${")".repeat(MAX_NESTING - 10)};`),
      fn(`return ${Array(MAX_OPERANDS).fill("x").join(" + ")};`),
    ];
    for (const text of ok) expect(compile({ fileName: "t.ts", text }).object).toBeDefined();
  });

  it("10k statements compile in bounded time", () => {
    const text = fn(`let y: u32 = x;\n${"y = y + 1;\n".repeat(10_000)}return y;`);
    const t0 = performance.now();
    expect(compile({ fileName: "t.ts", text }).object).toBeDefined();
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  it("one compile's declarations do not reach the next", () => {
    // A script file (no import) declares globals; the next compile must not see them.
    const first = compile({ fileName: "script.ts", text: "function g(): u32 { return 1; }\n" });
    expect(first.diagnostics.map((d) => d.code)).not.toContain("TSB9001");
    const again = codes(`${H}function g(): u32 { return 2; }\n${PROG.replace("f(1)", "g()")}`);
    expect(again).toEqual([]);
  });
});
