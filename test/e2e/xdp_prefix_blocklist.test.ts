// examples/xdp_prefix_blocklist.ts end to end: blocking A's /16 with
// bpftool stops A's pings; a /32 exception for A's own address lets them
// through again; both rules count their hits.

import { expect } from "vitest";
import { lookupMap, updateMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At } from "./net.js";

e2eTest(
  "xdp_prefix_blocklist drops a network, with a longer-prefix exception",
  215,
  async (t, objs) => {
    const h = await t.attachXdp("b", objs.build("xdp_prefix_blocklist"), "xdp");
    expect(h.btfIgnored).toBe(false);
    const id = await mapId(h.progId, "prefixes");
    const addr = t.ipA.split(".").map(Number);
    const net16 = Uint8Array.from([16, 0, 0, 0, addr[0]!, addr[1]!, 0, 0]);
    const host32 = Uint8Array.from([32, 0, 0, 0, ...addr]);
    const rule = (drop: number) => Uint8Array.from([drop, ...Array<number>(15).fill(0)]);

    await updateMap(id, net16, rule(1));
    expect((await t.ping("a", 3)).received).toBe(0);
    await updateMap(id, host32, rule(0));
    expect((await t.ping("a", 2)).received).toBe(2);
    expect(u64At((await lookupMap(id, net16))?.value, 8)).toBeGreaterThanOrEqual(3n);
    expect(u64At((await lookupMap(id, host32))?.value, 8)).toBeGreaterThanOrEqual(2n);
  },
);
