// BTF line info carries the TypeScript source: after loading a compiled
// object, `bpftool prog dump xlated ... linum` shows the user's lines and
// file name, and the verifier log quotes them.
// Reproduce: bpftool -d prog loadall X.o /sys/fs/bpf/d; bpftool prog dump xlated pinned /sys/fs/bpf/d/prog linum

import { join } from "node:path";
import { expect } from "vitest";
import { loadWithBpftool, run } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { buildObject, FIXTURES } from "./compile-fixture.js";

describeKernel("TypeScript line info", () => {
  kernelTest("bpftool prog dump xlated linum shows the TypeScript lines", async () => {
    const { objPath } = buildObject(join(FIXTURES, "programs", "eth_proto.ts"));
    const h = await loadWithBpftool(objPath, { type: "xdp" });
    try {
      expect(h.btfIgnored).toBe(false);
      expect(h.log).toContain("if (!eth) return XdpAction.PASS;");
      const r = await run("bpftool", [
        "prog",
        "dump",
        "xlated",
        "pinned",
        h.program.pinPath,
        "linum",
      ]);
      expect(r.stdout).toContain("; const eth = ctx.header<EthHdr>(0);");
      expect(r.stdout).toContain("; if (udp.dest === htons(9)) return XdpAction.DROP;");
      expect(r.stdout).toMatch(/file:\S*eth_proto\.ts line_num:\d+/);
    } finally {
      h.dispose();
    }
  });
});
