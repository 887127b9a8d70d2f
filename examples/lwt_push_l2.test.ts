// Unit tests of examples/lwt_push_l2.ts in the interpreter. LWT programs see
// the packet from the IP header on; test_run's data_out puts 14 zero bytes
// in front of what the program leaves, so the pushed Ethernet header starts
// at byte 14 of the output.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { MAC_A, MAC_B, udp4 } from "./support/packets.js";

describe("lwt_push_l2", () => {
  const prog = loadExample("lwt_push_l2").program("push_l2");

  it("pushes an Ethernet header for the fixed next hop and redirects to the route's device", () => {
    const frame = udp4(53);
    const r = prog.run({ packet: frame, ctx: { ifindex: 1 } });
    expect(r.action).toBe("BPF_REDIRECT");
    expect(r.redirect).toMatchObject({ helper: "bpf_redirect", ifindex: 1 });
    const out = r.packet.subarray(14);
    expect([...out.subarray(0, 6)]).toEqual(MAC_B);
    expect([...out.subarray(6, 12)]).toEqual(MAC_A);
    expect([...out.subarray(12, 14)]).toEqual([0x08, 0x00]);
    // The IP packet follows untouched.
    expect([...out.subarray(14)]).toEqual([...frame.subarray(14)]);
  });
});
