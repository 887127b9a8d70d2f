// examples/lwt_push_l2.ts end to end: A routes 10.213.1.1/32 through the
// program (`ip route add ... encap bpf xmit obj`); B owns that address and
// has the MAC the program writes. Datagrams arrive, and A never resolved
// 10.213.1.1 with ARP: the program supplied the link-layer header.

import { expect } from "vitest";
import { e2eTest } from "./e2e-test.js";
import { udpReceiver, udpSend } from "./net.js";

e2eTest("lwt_push_l2 delivers through a route without ARP", 213, async (t, objs) => {
  const obj = objs.build("lwt_push_l2");
  await t.a.ip(["link", "set", "dev", t.devA, "address", "02:00:00:00:00:0a"]);
  await t.b.ip(["link", "set", "dev", t.devB, "address", "02:00:00:00:00:0b"]);
  await t.b.ip(["addr", "add", "10.213.1.1/32", "dev", t.devB]);
  const route = ["route", "add", "10.213.1.1/32", "encap", "bpf", "xmit", "obj", obj];
  const r = await t.a.ip([...route, "section", "lwt_xmit", "dev", t.devA]);
  expect(r.stdout + r.stderr).not.toContain("BTF is optional");
  expect((await t.a.ip(["route", "show", "10.213.1.1"])).stdout).toContain("encap bpf xmit");

  const rx = await udpReceiver(t, "b", 6000);
  await udpSend(t, "a", "10.213.1.1", 6000, { count: 3 });
  const got = await rx.done();
  expect(got.length).toBe(3);
  expect(got.every((d) => d.from === t.ipA)).toBe(true);

  const neigh = await t.a.ip(["neigh", "show", "dev", t.devA]);
  expect(neigh.stdout).not.toContain("10.213.1.1");
});
