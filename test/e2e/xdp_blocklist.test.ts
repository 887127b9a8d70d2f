// examples/xdp_blocklist.ts end to end: attached to B with ip; A's address
// put in the map with bpftool blocks A's pings (counted in the map), and
// deleting it lets them through again.

import { expect } from "vitest";
import { deleteMapKey, lookupMap, updateMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At } from "./net.js";

e2eTest("xdp_blocklist drops a source put in the map by bpftool", 214, async (t, objs) => {
  const h = await t.attachXdp("b", objs.build("xdp_blocklist"), "xdp");
  expect(h.btfIgnored).toBe(false);
  const id = await mapId(h.progId, "blocklist");
  const key = Uint8Array.from(t.ipA.split(".").map(Number));

  expect((await t.ping("a", 2)).received).toBe(2);
  await updateMap(id, key, new Uint8Array(8));
  expect((await t.ping("a", 3)).received).toBe(0);
  expect(u64At((await lookupMap(id, key))?.value)).toBeGreaterThanOrEqual(3n);
  await deleteMapKey(id, key);
  expect((await t.ping("a", 2)).received).toBe(2);
});
