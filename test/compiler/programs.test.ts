// Every program under test/fixtures/compiler/programs is compiled, loaded
// by the kernel's verifier (bpftool, failing if libbpf dropped the BTF),
// attached through Debian's ip (XDP on lo / an LWT route in a fresh
// namespace), and run with BPF_PROG_TEST_RUN on the packets in
// program-cases.ts. Kernel-gated: prints SKIPPED without kernel access.
// Reproduce one: npx tsx -e 'compile(...)' then
//   bpftool -d prog load X.o /sys/fs/bpf/x type xdp; bpftool prog run pinned /sys/fs/bpf/x data_in pkt

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { loadWithBpftool, loadWithIp, testRun, xdpMd } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { buildObject, FIXTURES } from "./compile-fixture.js";
import { CASES } from "./program-cases.js";

const DIR = join(FIXTURES, "programs");

describeKernel("compiled programs in the kernel", () => {
  kernelTest("every fixture program has a case", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts"))
      .sort();
    expect(files).toEqual([...new Set(CASES.map((c) => c.file))].sort());
  });

  for (const c of CASES) {
    const title = c.program ? `${c.file} (${c.program})` : c.file;
    kernelTest(
      `${title}: verified, runs${c.type === "tc" ? "" : ", loads through ip"}`,
      async () => {
        const { objPath } = buildObject(join(DIR, c.file));
        const h = await loadWithBpftool(objPath, {
          type: c.type,
          ...(c.program ? { programName: c.program } : {}),
        });
        try {
          expect(h.btfIgnored).toBe(false);
          for (const run of c.runs) {
            const data = Uint8Array.from(run.packet);
            const ctx = c.type === "xdp" ? xdpMd({ packetLength: data.length }) : undefined;
            const r = await testRun(h, { data, ...(ctx ? { ctx } : {}) });
            expect(r.retval, run.name).toBe(run.retval);
            if (run.out) expect([...r.dataOut], run.name).toEqual(run.out);
            run.check?.(r.dataOut);
          }
        } finally {
          h.dispose();
        }
        // tc programs attach with tc(8), not ip; their kernel run above is the check.
        if (c.type === "tc") return;
        const ip = await loadWithIp(objPath, { hook: c.type, section: c.section ?? c.type });
        try {
          expect(ip.btfIgnored).toBe(false);
          expect(ip.progId).toBeDefined();
        } finally {
          await ip.dispose();
        }
      },
    );
  }
});
