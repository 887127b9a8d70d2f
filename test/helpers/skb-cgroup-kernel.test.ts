// bpf_skb_under_cgroup against the kernel with real cgroups: the cgroup array
// holds the cgroup v2 root, this process's own cgroup (bpftool inherits it, and
// test_run's socket takes the caller's cgroup) and a new cgroup beside it; the
// runtime's array holds the same cgroups by id and its world knows them. The
// answers for every slot (1, 1, 0, empty -EAGAIN, past the end -E2BIG) must agree.

import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { V2_ROOT, cgroupId, ownCgroup } from "./cgroup-v2.js";
import { diffObject, type DiffObject } from "./diff.js";
import { CGROUP_ARRAY_SET_C, SKB_CGROUP_C } from "./skb-cgroup.c.js";

const run = promisify(execFile);
const le = (hex: string) => Buffer.from(hex, "hex").readBigInt64LE();

describeKernel(
  "bpf_skb_under_cgroup on a cgroup array: runtime vs kernel",
  () => {
    const own = ownCgroup();
    const other = `${V2_ROOT}/tsbpf-skbcg-${process.pid}-${randomInt(1 << 30)}`;
    const tools = mkdtempSync(join(tmpdir(), "tsbpf-cgarray-"));
    let obj: DiffObject;

    beforeAll(async () => {
      mkdirSync(other);
      const cgroups = own.chain.slice(1).map((id, i) => ({ id, parent: own.chain[i]! }));
      cgroups.push({ id: cgroupId(other), parent: 1n });
      const world = { cgroupId: own.id, cgroupAncestors: own.chain, cgroups };
      obj = await diffObject("skb_cgroup", SKB_CGROUP_C, "lwt_xmit", ["out"], { load: { world } });
      const src = join(tools, "cgarray.c");
      writeFileSync(src, CGROUP_ARRAY_SET_C);
      await run("clang-19", ["-O2", "-o", join(tools, "cgarray"), src]);
      const slots = [V2_ROOT, own.path, other];
      const id = obj.kernelMapId("cg");
      if (id === undefined) throw new Error("the kernel object has no map cg");
      for (const [i, dir] of slots.entries()) {
        await run(join(tools, "cgarray"), [String(id), String(i), dir]);
        const key = new Uint8Array(new Uint32Array([i]).buffer);
        const value = new Uint8Array(new Uint32Array([Number(cgroupId(dir))]).buffer);
        expect(obj.object.maps.cg!.set(key, value)).toBe(0);
      }
    });
    afterAll(() => {
      obj?.dispose();
      if (existsSync(other)) rmdirSync(other);
      rmSync(tools, { recursive: true, force: true });
    });

    kernelTest("every slot's answer agrees", async () => {
      const packet = new Uint8Array(60);
      packet[12] = 0x08;
      packet[14] = 0x45; // LWT programs start at the IP header
      const k = await obj.kernel("under", packet);
      expect(obj.runtime("under", packet)).toEqual(k);
      expect(k.maps.out!.slice(0, 6).map(le)).toEqual([1n, 1n, 0n, -11n, -7n, -7n]);
    });
  },
  { tools: ["clang-19"] },
);
