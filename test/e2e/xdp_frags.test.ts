// examples/xdp_frags.ts end to end: both veth ends at MTU 9000, so a 5000
// byte datagram reaches B's XDP program in several buffers; the program is
// attached as xdp.frags (a plain xdp program is refused at that MTU) and
// drops port 9999, big or small, while port 9998 gets through whole.

import { expect } from "vitest";
import { e2eTest } from "./e2e-test.js";
import { udpReceiver, udpSend } from "./net.js";

e2eTest("xdp_frags drops jumbo UDP to 9999 on a 9000-MTU veth", 212, async (t, objs) => {
  await t.a.ip(["link", "set", "dev", t.devA, "mtu", "9000"]);
  await t.b.ip(["link", "set", "dev", t.devB, "mtu", "9000"]);
  // A program without frags support is refused at this MTU.
  await expect(t.attachXdp("b", objs.build("xdp_reflector"), "xdp")).rejects.toThrow();
  const h = await t.attachXdp("b", objs.build("xdp_frags"), "xdp.frags");
  expect(h.btfIgnored).toBe(false);

  const blocked = await udpReceiver(t, "b", 9999);
  const open = await udpReceiver(t, "b", 9998);
  await udpSend(t, "a", t.ipB, 9999, { count: 3, size: 5000 });
  await udpSend(t, "a", t.ipB, 9998, { count: 3, size: 5000 });
  await udpSend(t, "a", t.ipB, 9998, { count: 1, size: 100 });
  expect((await blocked.done()).length).toBe(0);
  expect((await open.done()).map((d) => d.len)).toEqual([5000, 5000, 5000, 100]);
});
