// examples/xdp_syn_guard.ts end to end: five TCP connection attempts from A
// to a closed port on B: the first three are answered (refused: B's RST),
// the rest time out because their SYNs are dropped; bpftool shows the count.

import { expect } from "vitest";
import { lookupMap } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, tcpProbe, u64At } from "./net.js";

e2eTest("xdp_syn_guard drops a source's SYNs beyond 3 per window", 219, async (t, objs) => {
  const h = await t.attachXdp("b", objs.build("xdp_syn_guard"), "xdp");
  expect(h.btfIgnored).toBe(false);
  const results: string[] = [];
  for (let i = 0; i < 5; i++) results.push(await tcpProbe(t, "a", t.ipB, 9));
  expect(results).toEqual(["refused", "refused", "refused", "timeout", "timeout"]);
  const w = await lookupMap(
    await mapId(h.progId, "syn_sources"),
    Uint8Array.from(t.ipA.split(".").map(Number)),
  );
  expect(u64At(w?.value, 8)).toBe(3n);
  expect(u64At(w?.value, 16)).toBeGreaterThanOrEqual(2n); // dropped (retransmitted SYNs too)
  expect((await t.ping("a", 2)).received).toBe(2); // other traffic unaffected
});
