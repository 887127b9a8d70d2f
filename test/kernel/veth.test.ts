// Kernel harness, end to end: two namespaces joined by a veth pair, an XDP
// program attached with ip on B's side, real pings from A, and the program's
// counter read back with bpftool.

import { afterAll, beforeAll, expect } from "vitest";
import {
  createVethTopology,
  dumpMap,
  netnsExists,
  programMaps,
} from "../../runtime/kernel/index.js";
import { cBuildDir, xdpVerdictC, type CBuildDir } from "./clang.js";
import { describeKernel, kernelTest } from "./kernel-test.js";

async function seenCount(progId: number): Promise<bigint> {
  const [seen] = await programMaps(progId);
  const [entry] = await dumpMap(seen!.id);
  return new DataView(entry!.value!.buffer).getBigUint64(0, true);
}

describeKernel(
  "veth topology",
  () => {
    let build: CBuildDir;
    beforeAll(() => {
      build = cBuildDir();
    });
    afterAll(() => build?.dispose());

    kernelTest("ping without a program gets 3 replies; namespaces gone after dispose", async () => {
      const t = await createVethTopology({ addressA: "10.201.7.1/24", addressB: "10.201.7.2/24" });
      try {
        const addr = await t.exec("a", ["ip", "-br", "addr", "show", "dev", "veth0"]);
        expect(addr.stdout).toContain("10.201.7.1/24");
        const p = await t.ping("a");
        expect([p.transmitted, p.received]).toEqual([3, 3]);
      } finally {
        t.dispose();
      }
      expect(await netnsExists(t.a.name)).toBe(false);
      expect(await netnsExists(t.b.name)).toBe(false);
    });

    kernelTest("XDP_PASS on the receiver: 3 replies, frames counted", async () => {
      const obj = await build.compile("pass", xdpVerdictC("XDP_PASS"));
      const t = await createVethTopology();
      try {
        const h = await t.attachXdp("b", obj, "xdp");
        expect(h.btfIgnored).toBe(false);
        const p = await t.ping("a", 3);
        expect([p.transmitted, p.received]).toEqual([3, 3]);
        // 3 echo requests plus at least one ARP frame reached the program.
        expect(await seenCount(h.progId!)).toBeGreaterThanOrEqual(4n);
      } finally {
        t.dispose();
      }
    });

    kernelTest("XDP_DROP on the receiver: 0 replies, frames counted", async () => {
      const obj = await build.compile("drop", xdpVerdictC("XDP_DROP"));
      const t = await createVethTopology();
      try {
        const h = await t.attachXdp("b", obj, "xdp");
        const p = await t.ping("a", 3);
        expect([p.transmitted, p.received]).toEqual([3, 0]);
        // ARP requests never get an answer, so what arrives is ARP, and it is dropped.
        expect(await seenCount(h.progId!)).toBeGreaterThanOrEqual(1n);
      } finally {
        t.dispose();
      }
    });
  },
  { tools: ["clang-19", "ping", "nsenter"] },
);
