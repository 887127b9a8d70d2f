// The simulated conntrack table from the API side: entries the user adds
// are what bpf_xdp_ct_lookup finds (either direction, in their zone, until
// they expire on the object's clock), and a program's write to ct->mark
// lands in the table. The kernel comparison is conntrack-kernel.test.ts.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadObject, type TsbpfObject } from "../../runtime/api.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { hasTool } from "../kernel/kernel-test.js";
import { CT_LOOKUP_C } from "./diff-conntrack.c.js";

function frame(src: number[], dst: number[], sport: number, dport: number, zone = 0) {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  f.set([...src, ...dst, sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, zone], 14);
  return f;
}

describe.runIf(hasTool("clang-19"))("conntrack table through the API", () => {
  let build: CBuildDir;
  let obj: TsbpfObject;
  let clock = 5_000_000_000n;
  beforeAll(async () => {
    build = cBuildDir();
    const path = await build.compile("ct_lookup", CT_LOOKUP_C);
    obj = loadObject(readFileSync(path), { clock: () => clock });
  });
  afterAll(() => build?.dispose());

  const out = () =>
    obj.maps.out!.entries().map(([, v]) => new DataView(v.buffer).getBigInt64(0, true));

  it("finds user entries both ways, in their zone, until they expire", () => {
    expect(
      obj.conntrack.add({
        proto: "tcp",
        src: "10.0.0.1",
        dst: "10.0.0.2",
        sport: 1000,
        dport: 80,
        mark: 7,
        timeoutSeconds: 30,
      }),
    ).toBe(true);
    expect(
      obj.conntrack.add({ proto: "tcp", src: "10.0.0.2", dst: "10.0.0.1", sport: 80, dport: 1000 }),
    ).toBe(false);
    obj.conntrack.add({
      proto: "tcp",
      src: "10.0.0.5",
      dst: "10.0.0.6",
      sport: 1,
      dport: 2,
      zone: 4,
    });

    let r = obj.program("ct_lookup").run({ packet: frame([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80) });
    expect(r.action).toBe("XDP_PASS");
    expect(out().slice(0, 3)).toEqual([0n, 7n, 0xen]); // original direction, mark, CONFIRMED|ASSURED|SEEN_REPLY
    r = obj.program("ct_lookup").run({ packet: frame([10, 0, 0, 2], [10, 0, 0, 1], 80, 1000) });
    expect(out().slice(0, 2)).toEqual([1n, 8n]); // the reply direction sees the program's mark + 1
    expect(obj.conntrack.entries()[0]!.mark).toBe(9);

    r = obj.program("ct_lookup").run({ packet: frame([10, 0, 0, 5], [10, 0, 0, 6], 1, 2) });
    expect([r.action, out()[0]]).toEqual(["XDP_DROP", -2n]); // zone 0: not found
    r = obj.program("ct_lookup").run({ packet: frame([10, 0, 0, 5], [10, 0, 0, 6], 1, 2, 4) });
    expect(r.action).toBe("XDP_PASS");

    clock += 31_000_000_000n;
    r = obj.program("ct_lookup").run({ packet: frame([10, 0, 0, 1], [10, 0, 0, 2], 1000, 80) });
    expect([r.action, out()[0]]).toEqual(["XDP_DROP", -2n]);
    expect(obj.conntrack.entries()).toHaveLength(1);
    obj.conntrack.clear();
    expect(obj.conntrack.entries()).toHaveLength(0);
  });
});
