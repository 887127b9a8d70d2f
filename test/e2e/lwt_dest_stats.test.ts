// examples/lwt_dest_stats.ts end to end: A's route to B goes through the
// program (`ip route add <B>/32 encap bpf xmit obj ...`); pings and UDP
// still arrive, and bpftool reads the per-destination counters. (bpftool
// cannot read a ring buffer; the samples are checked in the interpreter test.)

import { expect } from "vitest";
import { dumpMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, routeThroughLwt, u64At, udpReceiver, udpSend } from "./net.js";

e2eTest("lwt_dest_stats counts what a route carries, per destination", 217, async (t, objs) => {
  const h = await routeThroughLwt(t, objs.build("lwt_dest_stats"));
  expect(h.btfIgnored).toBe(false);
  expect((await t.ping("a", 3)).received).toBe(3);
  const rx = await udpReceiver(t, "b", 7100);
  await udpSend(t, "a", t.ipB, 7100, { count: 5, size: 72 });
  expect((await rx.done()).length).toBe(5);

  const entries = await dumpMap(await mapId(h.progId, "dest_stats"));
  const toB = entries.find((e) => e.key.join(".") === t.ipB);
  expect(toB).toBeDefined();
  expect(u64At(toB!.value, 0)).toBe(8n); // 3 echo requests + 5 datagrams
  expect(u64At(toB!.value, 8)).toBe(3n * 84n + 5n * (20n + 8n + 72n));
});
