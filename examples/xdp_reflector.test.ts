// Unit tests of examples/xdp_reflector.ts in the interpreter: a datagram to
// port 7 goes back (XDP_TX) with addresses and ports swapped and the same
// checksums; anything else passes untouched.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { MAC_A, MAC_B, ipBytes, ping4, tcp4, udp4 } from "./support/packets.js";

describe("xdp_reflector", () => {
  const prog = loadExample("xdp_reflector").program("reflector");

  it("sends a UDP echo request back with MACs, addresses and ports swapped", () => {
    const frame = udp4(7, { src: "10.0.0.1", dst: "10.0.0.2", sport: 40000 });
    const r = prog.run({ packet: frame });
    expect(r.action).toBe("XDP_TX");
    const out = r.packet;
    expect([...out.subarray(0, 6)]).toEqual(MAC_A);
    expect([...out.subarray(6, 12)]).toEqual(MAC_B);
    expect([...out.subarray(26, 30)]).toEqual(ipBytes("10.0.0.2"));
    expect([...out.subarray(30, 34)]).toEqual(ipBytes("10.0.0.1"));
    expect((out[34]! << 8) | out[35]!).toBe(7);
    expect((out[36]! << 8) | out[37]!).toBe(40000);
    // The IPv4 checksum (bytes 24-25) is unchanged, and still right.
    expect([...out.subarray(24, 26)]).toEqual([...frame.subarray(24, 26)]);
    expect([...out.subarray(38)]).toEqual([...frame.subarray(38)]);
  });

  it("passes other UDP ports, TCP and ICMP unchanged", () => {
    for (const frame of [udp4(8), tcp4(7), ping4()]) {
      const r = prog.run({ packet: frame });
      expect(r.action).toBe("XDP_PASS");
      expect(r.packet).toEqual(frame);
    }
  });
});
