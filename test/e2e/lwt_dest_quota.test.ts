// examples/lwt_dest_quota.ts end to end: A's route to B goes through the
// program; of 10 datagrams sent within a fraction of a second, B receives
// the quota of 5, and bpftool shows the other 5 as dropped.

import { expect } from "vitest";
import { lookupMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, routeThroughLwt, u64At, udpReceiver, udpSend } from "./net.js";

e2eTest("lwt_dest_quota passes 5 packets per destination per window", 220, async (t, objs) => {
  const h = await routeThroughLwt(t, objs.build("lwt_dest_quota"));
  expect(h.btfIgnored).toBe(false);
  const rx = await udpReceiver(t, "b", 7300);
  await udpSend(t, "a", t.ipB, 7300, { count: 10 });
  expect((await rx.done()).length).toBe(5);
  const w = await lookupMap(
    await mapId(h.progId, "quota_state"),
    Uint8Array.from(t.ipB.split(".").map(Number)),
  );
  expect(u64At(w?.value, 8)).toBe(5n);
  expect(u64At(w?.value, 16)).toBe(5n);
});
