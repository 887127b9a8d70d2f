// bpf_snprintf_btf without kernel BTF gives -EINVAL, as a kernel without BTF
// does. Its output is compared with the kernel in snprintf-btf-kernel.test.ts.

import { describe, expect, it } from "vitest";
import { snprintfBtfHelpers } from "../../runtime/helpers/snprintf-btf.js";
import { attachWorld } from "../../runtime/helpers/support.js";
import { call, makeEnv } from "./harness.js";

describe("bpf_snprintf_btf", () => {
  it("is -EINVAL without kernel BTF (world.kernelBtf null, missing or not BTF)", () => {
    for (const kernelBtf of [null, "/nonexistent/vmlinux", "/proc/self/status"]) {
      const env = makeEnv();
      attachWorld(env, { kernelBtf });
      const ptr = new Uint8Array(16);
      ptr[8] = 1; // type id 1
      const out = env.mem(32);
      expect(call(env, snprintfBtfHelpers, "bpf_snprintf_btf", out, 32, env.mem(ptr), 16, 0)).toBe(
        -22n,
      );
    }
  });
});
