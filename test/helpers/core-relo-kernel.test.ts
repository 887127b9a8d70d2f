// CO-RE relocations against the kernel's BTF: a clang-19 object with every
// relocation kind (core-relo.c.ts) is loaded by bpftool (libbpf resolves
// against /sys/kernel/btf/vmlinux) and by the runtime (world.kernelBtf, the
// same file); the values the program stores must be the same. Some are
// also checked against the kernel BTF read with bpftool, so the test would
// notice both sides agreeing on clang's local values.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { CORE_RELO_C } from "./core-relo.c.js";
import { diffObject, type DiffObject } from "./diff.js";

const packet = new Uint8Array(64).fill(0x11);

/** The id bpftool gives a named kernel type (`[id] STRUCT 'name' ...`). */
async function kernelTypeId(kind: string, name: string): Promise<number> {
  const { stdout } = await promisify(execFile)(
    "bpftool",
    ["btf", "dump", "file", "/sys/kernel/btf/vmlinux"],
    { maxBuffer: 1 << 28 },
  );
  const m = new RegExp(`^\\[(\\d+)\\] ${kind} '${name}'`, "m").exec(stdout);
  if (!m) throw new Error(`no ${kind} ${name} in the kernel BTF`);
  return Number(m[1]);
}

describeKernel(
  "CO-RE relocations against the kernel BTF: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("core_relo", CORE_RELO_C, "xdp", ["out"]);
    });
    afterAll(() => obj?.dispose());

    kernelTest("every relocation kind gives the kernel's value", async () => {
      const k = await obj.kernel("core", packet);
      const r = obj.runtime("core", packet);
      expect(r).toEqual(k);
      const v = (i: number) => Number(Buffer.from(k.maps.out![i]!, "hex").readBigUInt64LE());
      expect(v(0)).toBe(await kernelTypeId("STRUCT", "task_struct"));
      expect(v(1)).toBe(await kernelTypeId("STRUCT", "sk_buff"));
      expect([v(4), v(6), v(9)]).toEqual([0, 0, 0]); // no such kernel type
      expect(v(7)).toBeGreaterThan(200); // sizeof(struct sk_buff), not the local struct's
      expect(v(32)).toBe(64); // data_end - data through the swapped local layout
      expect(v(34)).toBe(1234);
    });

    kernelTest("without kernel BTF the object does not load, and says why", async () => {
      const { loadObject } = await import("../../runtime/api.js");
      const { readFileSync } = await import("node:fs");
      const { cBuildDir } = await import("../kernel/clang.js");
      const build = cBuildDir();
      try {
        const path = await build.compile("core_relo", CORE_RELO_C);
        expect(() => loadObject(readFileSync(path), { world: { kernelBtf: null } })).toThrow(
          /CO-RE relocation #\d+ \(TYPE_ID_TARGET\).*needs the kernel's BTF/,
        );
      } finally {
        build.dispose();
      }
    });
  },
  { tools: ["clang-19", "bpftool"] },
);
