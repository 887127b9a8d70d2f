// A source column past line_info's 10 bits (a very long line) is clamped to
// the last representable column instead of failing the object (found by the
// compiler fuzzer: 200-term conditions on one line).

import { expect, it } from "vitest";
import { Exit, Mov64, Reg } from "../../bpf/isa/index.js";
import { readObject, writeObject } from "../../bpf/elf/index.js";

it("clamps columns >= 1024 to 1023 in line_info", () => {
  const pos = { file: "long.ts", line: 3, column: 5000, text: "if (a || b || c) return 1;" };
  const insns = [
    { ...Mov64.imm(Reg.R0, 2), source: pos },
    { ...Exit(), source: pos },
  ];
  const bytes = writeObject({ license: "GPL", programs: [{ name: "p", section: "xdp", insns }] });
  const lines = readObject(bytes).btfExt?.lineInfo.flatMap((s) => s.records) ?? [];
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.map((l) => l.column)).toEqual(lines.map(() => 1023));
  expect(lines[0]!.lineNum).toBe(3);
});
