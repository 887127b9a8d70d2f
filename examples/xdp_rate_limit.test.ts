// Unit tests of examples/xdp_rate_limit.ts in the interpreter, with a clock
// the test moves: a burst of 5, then 2 packets a second, per source.

import { describe, expect, it } from "vitest";
import { buildExample } from "./support/build.js";
import { loadObject } from "../runtime/index.js";
import { ipBytes, udp4 } from "./support/packets.js";

describe("xdp_rate_limit", () => {
  it("passes a burst of 5, then 2 packets a second; sources have separate buckets", () => {
    let now = 1_000_000_000n;
    const obj = loadObject(buildExample("xdp_rate_limit"), { clock: () => now });
    const prog = obj.program("rate_limit");
    const from = (src: string) => prog.run({ packet: udp4(53, { src }) }).action;

    const burst = Array.from({ length: 7 }, () => from("10.0.0.1"));
    expect(burst).toEqual([...Array<string>(5).fill("XDP_PASS"), "XDP_DROP", "XDP_DROP"]);
    expect(from("10.0.0.2")).toBe("XDP_PASS");

    now += 500_000_000n; // one token
    expect(from("10.0.0.1")).toBe("XDP_PASS");
    expect(from("10.0.0.1")).toBe("XDP_DROP");

    now += 60_000_000_000n; // a long pause refills to the burst, not beyond
    const again = Array.from({ length: 6 }, () => from("10.0.0.1"));
    expect(again.filter((a) => a === "XDP_PASS").length).toBe(5);

    const v = obj.maps.buckets!.get(Uint8Array.from(ipBytes("10.0.0.1")))!;
    expect(new DataView(v.buffer, v.byteOffset).getBigUint64(16, true)).toBe(4n); // dropped
  });
});
