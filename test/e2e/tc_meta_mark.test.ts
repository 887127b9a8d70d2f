// examples/tc_meta_mark.ts end to end, with examples/xdp_meta_mark.ts: the
// tc program is attached with `tc filter add ... ingress bpf da obj` on B's
// veth. Before any XDP program is there, what it sees has no metadata; once
// ip attaches xdp_meta_mark to the same device, pings and UDP from A reach
// tc with the IPv4 protocol number in front of them, and the per-mark
// counters read with bpftool say so.

import { expect } from "vitest";
import { dumpMap, logSaysBtfIgnored, type VethTopology } from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At, udpReceiver, udpSend } from "./net.js";

const NO_METADATA = 256;

interface TcFilterJson {
  options?: { "direct-action"?: boolean; prog?: { id: number; name: string } };
}

/** clsact on B's veth and the object's tc section as a direct-action ingress filter. */
async function attachTc(t: VethTopology, obj: string): Promise<number> {
  await t.exec("b", ["tc", "qdisc", "add", "dev", t.devB, "clsact"]);
  const add = [
    "tc",
    "filter",
    "add",
    "dev",
    t.devB,
    "ingress",
    "bpf",
    "da",
    "obj",
    obj,
    "sec",
    "tc",
  ];
  const r = await t.exec("b", add);
  expect(logSaysBtfIgnored(r.stdout + r.stderr)).toBe(false);
  const show = await t.exec("b", ["tc", "-j", "filter", "show", "dev", t.devB, "ingress"]);
  const filters = JSON.parse(show.stdout) as TcFilterJson[];
  const ours = filters.find((f) => f.options?.prog?.name === "meta_to_mark");
  expect(ours?.options?.["direct-action"]).toBe(true);
  return ours!.options!.prog!.id;
}

e2eTest("tc_meta_mark reads on tc ingress what xdp_meta_mark wrote", 228, async (t, objs) => {
  const tcProg = await attachTc(t, objs.build("tc_meta_mark"));
  const marks = await mapId(tcProg, "tc_marks");
  const count = async (slot: number) => {
    const e = (await dumpMap(marks))[slot]!;
    return e.values!.reduce((sum, v) => sum + u64At(v.value, 0), 0n);
  };

  // No XDP program yet: packets reach tc without metadata.
  expect((await t.ping("a", 3)).received).toBe(3);
  expect(await count(NO_METADATA)).toBeGreaterThanOrEqual(3n);
  expect(await count(1)).toBe(0n);

  const h = await t.attachXdp("b", objs.build("xdp_meta_mark"), "xdp");
  expect(h.btfIgnored).toBe(false);
  const before = await count(NO_METADATA);
  expect((await t.ping("a", 3)).received).toBe(3);
  const rx = await udpReceiver(t, "b", 7000, { timeoutSec: 10, want: 4 }); // slow machines
  await udpSend(t, "a", t.ipB, 7000, { count: 4, size: 100 });
  expect((await rx.done()).length).toBe(4);

  expect(await count(1)).toBeGreaterThanOrEqual(3n); // ICMP echo requests, marked 1 by XDP
  expect(await count(17)).toBeGreaterThanOrEqual(4n); // the datagrams, marked 17
  expect(await count(6)).toBe(0n); // no TCP was sent
  expect(await count(NO_METADATA)).toBe(before); // everything now carries metadata
});
