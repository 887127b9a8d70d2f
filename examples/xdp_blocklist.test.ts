// Unit tests of examples/xdp_blocklist.ts in the interpreter: user space
// fills the hash map as bpftool would, the program drops those sources and
// counts the drops in the map.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { arp, ipBytes, udp4 } from "./support/packets.js";

const u64 = (b: Uint8Array | undefined) =>
  b ? new DataView(b.buffer, b.byteOffset).getBigUint64(0, true) : undefined;

describe("xdp_blocklist", () => {
  it("drops listed sources, counts them, and passes the rest", () => {
    const obj = loadExample("xdp_blocklist");
    const prog = obj.program("drop_blocked");
    const blocklist = obj.maps.blocklist!;
    const bad = Uint8Array.from(ipBytes("10.0.0.66"));
    expect(blocklist.set(bad, new Uint8Array(8))).toBe(0);

    expect(prog.run({ packet: udp4(53, { src: "10.0.0.66" }) }).action).toBe("XDP_DROP");
    expect(prog.run({ packet: udp4(80, { src: "10.0.0.66" }) }).action).toBe("XDP_DROP");
    expect(prog.run({ packet: udp4(53, { src: "10.0.0.67" }) }).action).toBe("XDP_PASS");
    expect(prog.run({ packet: arp() }).action).toBe("XDP_PASS");
    expect(u64(blocklist.get(bad))).toBe(2n);

    blocklist.delete(bad);
    expect(prog.run({ packet: udp4(53, { src: "10.0.0.66" }) }).action).toBe("XDP_PASS");
  });
});
