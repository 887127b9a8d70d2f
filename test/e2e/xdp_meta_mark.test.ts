// examples/xdp_meta_mark.ts end to end: with metadata pushed in front of
// every packet on B's veth, pings and UDP datagrams from A still arrive, and
// the per-CPU counter read with bpftool shows they were marked.

import { expect } from "vitest";
import { dumpMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At, udpReceiver, udpSend } from "./net.js";

e2eTest("xdp_meta_mark passes traffic with metadata in front", 226, async (t, objs) => {
  const h = await t.attachXdp("b", objs.build("xdp_meta_mark"), "xdp");
  expect(h.btfIgnored).toBe(false);
  expect((await t.ping("a", 3)).received).toBe(3);
  const rx = await udpReceiver(t, "b", 7000);
  await udpSend(t, "a", t.ipB, 7000, { count: 4, size: 100 });
  expect((await rx.done()).length).toBe(4);

  const entries = await dumpMap(await mapId(h.progId, "meta_stats"));
  const total = (slot: number) =>
    entries[slot]!.values!.reduce((sum, v) => sum + u64At(v.value, 0), 0n);
  expect(total(0)).toBeGreaterThanOrEqual(3n + 4n); // marked: pings and datagrams at least
  expect(total(1)).toBe(0n); // the veth always had room for metadata
});
