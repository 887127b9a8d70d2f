// The assembler on hand-written text: labels, and errors that carry line and
// column and never escape as anything but AsmError. Expected bytes are
// literals checked against llvm-objdump-19's reading in forms.test.ts.

import { describe, expect, it } from "vitest";
import { AsmError, assemble } from "../../bpf/asm/index.js";
import { toHex } from "./hex.js";

describe("assemble", () => {
  it("resolves labels for jumps and local calls", () => {
    const { bytes } = assemble(
      [
        "start:",
        "  r0 = 0x0",
        "  if r1 > r2 goto out",
        "  call helper2",
        "out: exit",
        "helper2:",
        "  exit",
      ].join("\n"),
    );
    expect(toHex(bytes)).toBe(
      [
        "b7 00 00 00 00 00 00 00",
        "2d 21 01 00 00 00 00 00",
        "85 10 00 00 01 00 00 00",
        "95 00 00 00 00 00 00 00",
        "95 00 00 00 00 00 00 00",
      ].join(" "),
    );
  });

  it.each([
    ["r1 += ", 1, 6, "expected an immediate"],
    ["r1 = *(u32 *)(r2 + 0x4", 1, 23, "expected ')'"],
    ["exit\n  w1 += r2", 2, 9, "mixes r and w"],
    ["r12 = 0x1", 1, 1, "no register r12"],
    ["r1 = 0x100000000", 1, 6, "out of range"],
    ["goto nowhere", 1, 1, 'undefined label "nowhere"'],
    ["r1 ?= 2", 1, 4, "unexpected character"],
    ["frobnicate r1", 1, 1, "unknown instruction"],
    ["       0:\t<unknown>", 1, 11, "raw bytes"],
    ["*(u64 *)(r1 + 0x0) = w2", 1, 22, "64-bit store"],
  ])("%j -> AsmError at %i:%i", (text, line, column, message) => {
    let error: unknown;
    try {
      assemble(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AsmError);
    const e = error as AsmError;
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.message).toContain(message);
  });

  it("never throws anything but AsmError on mangled listings", () => {
    const base =
      "r1 = *(u32 *)(r2 + 0x4)\nlock *(u64 *)(r0 + 0x8) += r1\nif w1 s< -0x3 goto +0x1\nr1 = 0x1 ll";
    for (let i = 0; i < base.length; i++) {
      for (const cut of [
        base.slice(0, i),
        base.slice(0, i) + base.slice(i + 1),
        base.slice(0, i) + "(" + base.slice(i),
      ]) {
        try {
          assemble(cut);
        } catch (e) {
          expect(e).toBeInstanceOf(AsmError);
        }
      }
    }
  });
});
