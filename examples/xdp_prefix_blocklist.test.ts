// Unit tests of examples/xdp_prefix_blocklist.ts in the interpreter: a /16
// blocked, a /32 inside it allowed again (the longest prefix wins), hits
// counted per rule.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { ipBytes, udp4 } from "./support/packets.js";

/** LPM key: prefix length (u32, little-endian) then the address in network order. */
function prefix(cidr: string): Uint8Array {
  const [addr, len] = cidr.split("/");
  return Uint8Array.from([Number(len), 0, 0, 0, ...ipBytes(addr!)]);
}
function rule(drop: boolean): Uint8Array {
  const v = new Uint8Array(16);
  v[0] = drop ? 1 : 0;
  return v;
}
const hits = (v: Uint8Array | undefined) =>
  new DataView(v!.buffer, v!.byteOffset).getBigUint64(8, true);

describe("xdp_prefix_blocklist", () => {
  it("drops a blocked network except a longer allowed prefix, counting hits per rule", () => {
    const obj = loadExample("xdp_prefix_blocklist");
    const prog = obj.program("drop_prefixes");
    const prefixes = obj.maps.prefixes!;
    expect(prefixes.set(prefix("10.66.0.0/16"), rule(true))).toBe(0);
    expect(prefixes.set(prefix("10.66.7.7/32"), rule(false))).toBe(0);

    expect(prog.run({ packet: udp4(53, { src: "10.66.1.2" }) }).action).toBe("XDP_DROP");
    expect(prog.run({ packet: udp4(53, { src: "10.66.200.1" }) }).action).toBe("XDP_DROP");
    expect(prog.run({ packet: udp4(53, { src: "10.66.7.7" }) }).action).toBe("XDP_PASS");
    expect(prog.run({ packet: udp4(53, { src: "10.67.0.1" }) }).action).toBe("XDP_PASS");
    expect(hits(prefixes.get(prefix("10.66.0.0/16")))).toBe(2n);
    expect(hits(prefixes.get(prefix("10.66.7.7/32")))).toBe(1n);
  });
});
