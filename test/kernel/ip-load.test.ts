// Kernel harness, ip side: attach clang-built objects with Debian's ip (its
// libbpf 1.1.2) as XDP on lo and as LWT routes, in namespaces the harness
// creates and deletes.
// Reproduce: ip netns add T; ip -n T link set dev lo xdp obj x.o sec xdp;
//   ip -n T route add 192.0.2.1/32 encap bpf xmit obj l.o section lwt_xmit dev lo

import { afterAll, beforeAll, expect } from "vitest";
import {
  createNetns,
  dumpMap,
  loadWithIp,
  netnsExists,
  programMaps,
  run,
} from "../../runtime/kernel/index.js";
import { cBuildDir, LWT_XMIT_C, UNNAMED_PARAM_C, XDP_COUNT_C, type CBuildDir } from "./clang.js";
import { describeKernel, kernelTest } from "./kernel-test.js";

async function progType(id: number): Promise<string> {
  const r = await run("bpftool", ["prog", "show", "id", String(id), "-j"]);
  return (JSON.parse(r.stdout) as { type: string }).type;
}

describeKernel(
  "ip load in a namespace",
  () => {
    let build: CBuildDir;
    let xdpObj: string;
    let lwtObj: string;
    beforeAll(async () => {
      build = cBuildDir();
      xdpObj = await build.compile("xdp_count", XDP_COUNT_C);
      lwtObj = await build.compile("lwt_filter", LWT_XMIT_C);
    });
    afterAll(() => build?.dispose());

    kernelTest(
      "XDP on lo: attached, id reported, BTF kept, namespace gone after dispose",
      async () => {
        const h = await loadWithIp(xdpObj, { hook: "xdp", section: "xdp" });
        try {
          expect(h.netns.name).toMatch(new RegExp(`^tsbpf-${process.pid}-\\d+-xdp$`));
          expect(await netnsExists(h.netns.name)).toBe(true);
          expect(h.btfIgnored).toBe(false);
          expect(h.output).not.toContain("BTF is optional");
          expect(h.progId).toBeDefined();
          expect(await progType(h.progId!)).toBe("xdp");
          const shown = await h.netns.ip(["-d", "link", "show", "dev", "lo"]);
          expect(shown.stdout).toContain(`prog/xdp id ${h.progId}`);
          const maps = await programMaps(h.progId!);
          expect(maps.map((m) => m.name)).toEqual(["counts"]);
          expect((await dumpMap(maps[0]!.id)).length).toBe(2);
        } finally {
          await h.dispose();
        }
        expect(await netnsExists(h.netns.name)).toBe(false);
      },
    );

    for (const hook of ["lwt_xmit", "lwt_in", "lwt_out"] as const) {
      kernelTest(
        `LWT route (${hook}): route added with the program, namespace gone after`,
        async () => {
          const h = await loadWithIp(lwtObj, { hook, section: "lwt_xmit" });
          try {
            expect(h.btfIgnored).toBe(false);
            const routes = await h.netns.ip(["route", "show", "192.0.2.1/32"]);
            const dir = hook.slice(4);
            expect(routes.stdout).toContain(`encap bpf ${dir} lwt_filter.o:[lwt_xmit]`);
            expect(h.candidateIds.length).toBeGreaterThanOrEqual(1);
            if (h.progId !== undefined) expect(await progType(h.progId)).toBe(hook);
          } finally {
            await h.dispose();
          }
          expect(await netnsExists(h.netns.name)).toBe(false);
        },
      );
    }

    kernelTest("a namespace passed in is kept; dispose only detaches", async () => {
      const ns = await createNetns("shared");
      try {
        const h = await loadWithIp(xdpObj, { hook: "xdp", section: "xdp", netns: ns });
        await h.dispose();
        expect(await netnsExists(ns.name)).toBe(true);
        const shown = await ns.ip(["-d", "link", "show", "dev", "lo"]);
        expect(shown.stdout).not.toContain("prog/xdp");
      } finally {
        ns.dispose();
      }
      expect(await netnsExists(ns.name)).toBe(false);
    });

    kernelTest("BTF the kernel refuses: ip still loads, btfIgnored is set", async () => {
      const obj = await build.compile("unnamed", UNNAMED_PARAM_C, ["-std=gnu2x"]);
      const h = await loadWithIp(obj, { hook: "xdp", section: "xdp" });
      try {
        expect(h.progId).toBeDefined();
        expect(h.output).toContain("Error loading .BTF into kernel");
        expect(h.btfIgnored).toBe(true);
      } finally {
        await h.dispose();
      }
    });

    kernelTest("ip refusing an object becomes a KernelError carrying ip's words", async () => {
      const err = await loadWithIp(xdpObj, { hook: "xdp", section: "no_such_section" }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ name: "KernelError", command: expect.arrayContaining(["ip"]) });
      expect((err as Error).message).toMatch(/no_such_section|not found|ERR/i);
    });
  },
  { tools: ["clang-19"] },
);
