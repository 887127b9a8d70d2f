// examples/xdp_rate_limit.ts end to end: 10 datagrams sent from A within a
// fraction of a second; B's receiver gets the burst of 5 (plus at most one
// token earned meanwhile), and bpftool shows A's bucket with the drops.

import { expect } from "vitest";
import { lookupMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At, udpReceiver, udpSend } from "./net.js";

e2eTest("xdp_rate_limit lets a burst through, then drops", 218, async (t, objs) => {
  const h = await t.attachXdp("b", objs.build("xdp_rate_limit"), "xdp");
  expect(h.btfIgnored).toBe(false);
  const rx = await udpReceiver(t, "b", 7200);
  await udpSend(t, "a", t.ipB, 7200, { count: 10 });
  const got = (await rx.done()).length;
  expect(got).toBeGreaterThanOrEqual(5);
  expect(got).toBeLessThanOrEqual(6);
  const bucket = await lookupMap(
    await mapId(h.progId, "buckets"),
    Uint8Array.from(t.ipA.split(".").map(Number)),
  );
  expect(u64At(bucket?.value, 16)).toBe(BigInt(10 - got));
});
