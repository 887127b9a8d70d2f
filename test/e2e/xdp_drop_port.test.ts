// examples/xdp_drop_port.ts end to end: attached with `ip link set ... xdp
// obj` on B's veth, then real traffic from A: pings get no answer, UDP to
// port 9999 never reaches B's receiver while port 9998 does, a TCP SYN to
// 9999 vanishes (timeout) while one to 9998 is answered (refused: RST).

import { expect } from "vitest";
import { e2eTest } from "./e2e-test.js";
import { tcpProbe, udpReceiver, udpSend } from "./net.js";

e2eTest(
  "xdp_drop_port drops ping, UDP and TCP to port 9999; passes the rest",
  210,
  async (t, objs) => {
    const h = await t.attachXdp("b", objs.build("xdp_drop_port"), "xdp");
    expect(h.btfIgnored).toBe(false);
    expect(h.progId).toBeGreaterThan(0);

    const ping = await t.ping("a", 3);
    expect([ping.transmitted, ping.received]).toEqual([3, 0]);

    const blocked = await udpReceiver(t, "b", 9999);
    const open = await udpReceiver(t, "b", 9998);
    await udpSend(t, "a", t.ipB, 9999, { count: 3 });
    await udpSend(t, "a", t.ipB, 9998, { count: 3 });
    expect((await blocked.done()).length).toBe(0);
    expect((await open.done()).length).toBe(3);

    expect(await tcpProbe(t, "a", t.ipB, 9999)).toBe("timeout");
    expect(await tcpProbe(t, "a", t.ipB, 9998)).toBe("refused");
  },
);
