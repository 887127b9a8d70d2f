// examples/xdp_proto_counters.ts end to end: pings and UDP datagrams from A
// to B, then the per-CPU counters read with bpftool and summed over CPUs.

import { expect } from "vitest";
import { dumpMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At, udpReceiver, udpSend } from "./net.js";

e2eTest("xdp_proto_counters counts ICMP and UDP per protocol", 216, async (t, objs) => {
  const h = await t.attachXdp("b", objs.build("xdp_proto_counters"), "xdp");
  expect(h.btfIgnored).toBe(false);
  expect((await t.ping("a", 3)).received).toBe(3);
  const rx = await udpReceiver(t, "b", 7000);
  await udpSend(t, "a", t.ipB, 7000, { count: 4, size: 100 });
  expect((await rx.done()).length).toBe(4);

  const entries = await dumpMap(await mapId(h.progId, "proto_stats"));
  const total = (slot: number, offset: number) =>
    entries[slot]!.values!.reduce((sum, v) => sum + u64At(v.value, offset), 0n);
  expect(total(1, 0)).toBe(4n); // UDP packets
  expect(total(1, 8)).toBe(4n * (14n + 20n + 8n + 100n)); // UDP bytes, from the Ethernet header
  expect(total(2, 0)).toBeGreaterThanOrEqual(3n); // ICMP echo requests
  expect(total(5, 0)).toBeGreaterThanOrEqual(1n); // ARP
});
