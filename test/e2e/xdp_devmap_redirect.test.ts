// examples/xdp_devmap_redirect.ts end to end, over three namespaces: A -- B
// (the program on B's veth1, generic XDP) and B -- C (veth2 in B, veth3 in
// C, which also holds B's address and the MAC the program writes). Before
// bpftool sets devmap slot 0 to veth2, A's datagrams to B:8000 reach B;
// afterwards they reach C instead, forwarded by XDP; port 8001 stays with B.

import { expect } from "vitest";
import { createNetns } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { inNetns, mapId, udpReceiver, udpSend } from "./net.js";

e2eTest("xdp_devmap_redirect forwards UDP 8000 to a third namespace", 221, async (t, objs) => {
  const c = await createNetns("c");
  try {
    await t.b.ip([
      "link",
      "add",
      "veth2",
      "type",
      "veth",
      "peer",
      "name",
      "veth3",
      "netns",
      c.name,
    ]);
    await t.b.ip(["link", "set", "dev", "veth2", "up"]);
    await c.ip(["link", "set", "dev", "veth3", "address", "02:00:00:00:00:0c"]);
    await c.ip(["addr", "add", `${t.ipB}/32`, "dev", "veth3"]);
    await c.ip(["link", "set", "dev", "veth3", "up"]);
    const h = await t.attachXdp("b", objs.build("xdp_devmap_redirect"), "xdp", "xdpgeneric");
    expect(h.btfIgnored).toBe(false);

    let inB = await udpReceiver(t, "b", 8000);
    await udpSend(t, "a", t.ipB, 8000, { count: 2 });
    expect((await inB.done()).length).toBe(2); // slot empty: XDP_PASS

    const link = await t.b.ip(["-j", "link", "show", "dev", "veth2"]);
    const ifindex = (JSON.parse(link.stdout) as { ifindex: number }[])[0]!.ifindex;
    // A devmap resolves the ifindex in the namespace of whoever updates it: run bpftool in B.
    const id = String(await mapId(h.progId, "out_ports"));
    const value = [ifindex & 0xff, (ifindex >> 8) & 0xff, 0, 0].map(String);
    await t.exec("b", [
      "bpftool",
      "map",
      "update",
      "id",
      id,
      "key",
      "0",
      "0",
      "0",
      "0",
      "value",
      ...value,
    ]);

    inB = await udpReceiver(t, "b", 8000);
    const inC = await udpReceiver(inNetns(c), "a", 8000);
    const other = await udpReceiver(t, "b", 8001);
    await udpSend(t, "a", t.ipB, 8000, { count: 3 });
    await udpSend(t, "a", t.ipB, 8001, { count: 1 });
    expect((await inC.done()).length).toBe(3);
    expect((await inB.done()).length).toBe(0);
    expect((await other.done()).length).toBe(1);
  } finally {
    c.dispose();
  }
});
