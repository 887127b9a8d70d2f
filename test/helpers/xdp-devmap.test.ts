// Devmap egress programs (SEC("xdp/devmap")): the kernel's verifier lets
// them read ctx->egress_ifindex, and BPF_PROG_TEST_RUN refuses to run them
// (they only run after bpf_redirect_map into a devmap). The runtime runs
// them as the devmap would, with ctx.egress_ifindex naming the target.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import { loadObject } from "../../runtime/api.js";
import { loadWithBpftool, testRun, type BpftoolLoadHandle } from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { XDP_DEVMAP_C } from "./diff-frags.c.js";

describeKernel(
  "XDP devmap egress context",
  () => {
    let build: CBuildDir;
    let path: string;
    let k: BpftoolLoadHandle | undefined;
    beforeAll(async () => {
      build = cBuildDir();
      path = await build.compile("devmap", XDP_DEVMAP_C);
    });
    afterAll(() => {
      k?.dispose();
      build?.dispose();
    });
    const frame = new Uint8Array(64).fill(1);

    kernelTest(
      "the verifier accepts egress_ifindex reads; test_run refuses the program",
      async () => {
        k = await loadWithBpftool(path); // no type: libbpf keeps the devmap attach type
        await expect(testRun(k, { data: frame })).rejects.toThrow(/exited with code 234/); // 234: -EINVAL as bpftool's exit status;
      },
    );

    kernelTest("the runtime runs it with the egress device given", () => {
      const obj = loadObject(readFileSync(path));
      const seen = () => obj.maps.seen!.entries().map(([, v]) => v[0]);
      let r = obj
        .program("egress")
        .run({ packet: frame, ctx: { egress_ifindex: 9, ingress_ifindex: 3 } });
      expect([r.action, r.ctx.egress_ifindex, ...seen().slice(0, 2)]).toEqual([
        "XDP_DROP",
        9n,
        9,
        3,
      ]);
      r = obj.program("egress").run({ packet: frame, ctx: { egress_ifindex: 4 } });
      expect([r.action, ...seen().slice(0, 2)]).toEqual(["XDP_PASS", 4, 1]);
    });
  },
  { tools: ["clang-19"] },
);
