// Cgroup storage (LWT) and the cgroup kfuncs (XDP) against the kernel, with
// real cgroups: the runtime's world is configured with the same ids (the
// test process's cgroup v2 cgroup, which bpftool inherits, and two cgroups
// this test creates under the cgroup v2 root) as the kernel has them.

import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, rmdirSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import type { HelperWorld } from "../../runtime/helpers/support.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { CGROUP_KFUNCS_C, CGRP_STORAGE_C } from "./cgroups.c.js";
import { V2_ROOT, cgroupId, ownCgroup } from "./cgroup-v2.js";
import { diffObject, type DiffObject } from "./diff.js";

const le = (hex: string) => BigInt("0x" + hex.match(/../g)!.reverse().join(""));

describeKernel(
  "cgroup storage and cgroup kfuncs: runtime vs kernel",
  () => {
    const own = ownCgroup();
    const parent = `${V2_ROOT}/tsbpf-test-${process.pid}-${randomInt(1 << 30)}`;
    const child = `${parent}/child`;
    let ids: { parent: bigint; child: bigint };
    let world: Partial<HelperWorld>;
    let storage: DiffObject;
    let kfuncs: DiffObject;

    beforeAll(async () => {
      mkdirSync(child, { recursive: true });
      ids = { parent: cgroupId(parent), child: cgroupId(child) };
      // The own cgroup's ancestors (below the root) and the two new cgroups, as the kernel has them.
      const cgroups = own.chain.slice(1).map((id, i) => ({ id, parent: own.chain[i]! }));
      cgroups.push({ id: ids.parent, parent: 1n }, { id: ids.child, parent: ids.parent });
      world = { cgroupId: own.id, cgroupAncestors: own.chain, cgroups };
      storage = await diffObject("cgrp_storage", CGRP_STORAGE_C, "lwt_xmit", ["out"], {
        load: { world },
      });
      kfuncs = await diffObject("cg_kfuncs", CGROUP_KFUNCS_C, "xdp", ["out"], { load: { world } });
    });
    afterAll(() => {
      storage?.dispose();
      kfuncs?.dispose();
      for (const dir of [child, parent]) if (existsSync(dir)) rmdirSync(dir);
    });

    kernelTest("bpf_cgrp_storage_get/_delete on the current cgroup agree", async () => {
      // An Ethernet frame: LWT programs see it from the network header (byte 14) on.
      const packet = (op: number, arg: number) => {
        const f = new Uint8Array(60);
        f[12] = 0x08;
        f.set([op, arg], 14);
        return f;
      };
      // read, create, find (+1), read, delete, delete again, create zeroed, bad flags, delete.
      const ops = [
        [0, 0],
        [1, 7],
        [1, 9],
        [0, 0],
        [2, 0],
        [2, 0],
        [3, 0],
        [1, 5],
        [4, 3],
        [2, 0],
        [4, 3],
      ] as const;
      const seen = new Set<string>();
      for (const [i, [op, arg]] of ops.entries()) {
        const k = await storage.kernel("storage", packet(op, arg));
        const r = storage.runtime("storage", packet(op, arg));
        expect.soft(r, `packet ${i} (op ${op})`).toEqual(k);
        seen.add(k.maps.out![4]!);
      }
      const k = await storage.kernel("storage", packet(0, 0));
      expect(le(k.maps.out![0]!)).toBe(own.id); // the cgroup reached is the test's own
      // The results covered a created value, -ENOENT and NULL.
      expect(seen.size).toBeGreaterThanOrEqual(4);
    });

    kernelTest(
      "bpf_cgroup_from_id / _ancestor / _acquire, bpf_task_under_cgroup agree",
      async () => {
        const packet = (id: bigint, level: number) => {
          const f = new Uint8Array(64);
          f[12] = 0x08;
          new DataView(f.buffer).setBigUint64(14, id, true);
          f[22] = level & 0xff;
          return f;
        };
        const cases: [string, bigint, number][] = [
          ["root", 1n, 0],
          ["own cgroup, level 0", own.id, 0],
          ["child, level 0", ids.child, 0],
          ["child, level 1", ids.child, 1],
          ["child, level 2 (itself)", ids.child, 2],
          ["child, level 3 (too deep)", ids.child, 3],
          ["child, level -1", ids.child, -1],
          ["parent, level 1", ids.parent, 1],
          ["no such cgroup", 0x7fff_fff0n, 0],
        ];
        for (const [what, id, level] of cases) {
          const k = await kfuncs.kernel("cg_kfuncs", packet(id, level));
          const r = kfuncs.runtime("cg_kfuncs", packet(id, level));
          expect.soft(r, what).toEqual(k);
        }
        const k = await kfuncs.kernel("cg_kfuncs", packet(ids.child, 1));
        expect([le(k.maps.out![0]!), le(k.maps.out![1]!), le(k.maps.out![2]!)]).toEqual([
          ids.child,
          2n,
          ids.parent,
        ]);
      },
    );
  },
  { tools: ["clang-19"] },
);
