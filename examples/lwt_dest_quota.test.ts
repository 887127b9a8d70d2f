// Unit tests of examples/lwt_dest_quota.ts in the interpreter, with a clock
// the test moves: 5 packets per destination per 2 s window.

import { describe, expect, it } from "vitest";
import { buildExample } from "./support/build.js";
import { loadObject } from "../runtime/index.js";
import { ipBytes, udp4 } from "./support/packets.js";

describe("lwt_dest_quota", () => {
  it("drops packets to a destination beyond its quota until its window ends", () => {
    let now = 1_000_000_000n;
    const obj = loadObject(buildExample("lwt_dest_quota"), { clock: () => now });
    const prog = obj.program("dest_quota");
    const to = (dst: string) => prog.run({ packet: udp4(53, { dst }) }).action;

    const seven = Array.from({ length: 7 }, () => to("192.0.2.1"));
    expect(seven).toEqual([...Array<string>(5).fill("BPF_OK"), "BPF_DROP", "BPF_DROP"]);
    expect(to("192.0.2.2")).toBe("BPF_OK"); // its own quota

    const w = obj.maps.quota_state!.get(Uint8Array.from(ipBytes("192.0.2.1")))!;
    expect(new DataView(w.buffer, w.byteOffset).getBigUint64(16, true)).toBe(2n); // dropped

    now += 2_000_000_000n;
    expect(to("192.0.2.1")).toBe("BPF_OK");
  });
});
