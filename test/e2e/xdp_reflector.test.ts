// examples/xdp_reflector.ts end to end: attached (generic XDP) to B's veth,
// UDP datagrams from A to B's port 7 come back from B:7 although nothing in
// B listens on port 7; datagrams to another port still reach a receiver.

import { expect } from "vitest";
import { e2eTest } from "./e2e-test.js";
import { udpEcho, udpReceiver, udpSend } from "./net.js";

e2eTest(
  "xdp_reflector answers UDP port 7 from XDP; other ports reach the stack",
  211,
  async (t, objs) => {
    const h = await t.attachXdp("b", objs.build("xdp_reflector"), "xdp", "xdpgeneric");
    expect(h.btfIgnored).toBe(false);
    const answers = await udpEcho(t, "a", t.ipB, 7, 3);
    expect(answers.map((a) => a.data)).toEqual(["ping 0", "ping 1", "ping 2"]);
    expect(answers.every((a) => a.from === t.ipB && a.sport === 7)).toBe(true);

    const rx = await udpReceiver(t, "b", 5000);
    await udpSend(t, "a", t.ipB, 5000, { count: 2 });
    expect((await rx.done()).length).toBe(2);
  },
);
