// Unit tests of examples/xdp_frags.ts in the interpreter: headers read with
// bpf_xdp_load_bytes, UDP to port 9999 dropped, everything else passed.
// (The interpreter runs single-buffer frames; the multi-buffer case, a 5000
// byte frame on a 9000-MTU veth, is in test/e2e/xdp_frags.test.ts.)

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { arp, eth, ETH_P_IP, ping4, tcp4, udp4 } from "./support/packets.js";

describe("xdp_frags", () => {
  const obj = loadExample("xdp_frags");
  const prog = obj.program("drop_port_frags");

  it("is an xdp.frags program", () => {
    expect(prog.section).toBe("xdp.frags");
  });

  it("drops UDP to port 9999, also with a large payload", () => {
    expect(prog.run({ packet: udp4(9999) }).action).toBe("XDP_DROP");
    const big = udp4(9999, { payload: Array<number>(3000).fill(7) });
    expect(prog.run({ packet: big }).action).toBe("XDP_DROP");
  });

  it("passes other ports, TCP to 9999, ICMP, ARP and runts", () => {
    for (const frame of [udp4(9998), tcp4(9999), ping4(), arp(), eth(ETH_P_IP, [0x45])]) {
      expect(prog.run({ packet: frame }).action).toBe("XDP_PASS");
    }
  });
});
