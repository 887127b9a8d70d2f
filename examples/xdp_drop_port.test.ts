// Unit tests of examples/xdp_drop_port.ts through the runtime API, as a
// user would write them: build, load into the interpreter, run frames.

import { describe, expect, it } from "vitest";
import { loadExample } from "./support/build.js";
import { arp, eth, ETH_P_IP, ipv4, ping4, tcp4, udp, udp4 } from "./support/packets.js";

describe("xdp_drop_port", () => {
  const prog = loadExample("xdp_drop_port").program("drop_port");

  it("drops UDP and TCP to port 9999", () => {
    expect(prog.run({ packet: udp4(9999) }).action).toBe("XDP_DROP");
    expect(prog.run({ packet: tcp4(9999) }).action).toBe("XDP_DROP");
  });

  it("passes other ports, ARP and short frames", () => {
    expect(prog.run({ packet: udp4(9998) }).action).toBe("XDP_PASS");
    expect(prog.run({ packet: tcp4(80) }).action).toBe("XDP_PASS");
    expect(prog.run({ packet: arp() }).action).toBe("XDP_PASS");
    expect(prog.run({ packet: eth(ETH_P_IP, [0x45, 0]) }).action).toBe("XDP_PASS");
  });

  it("drops ICMP echo requests but not replies", () => {
    expect(prog.run({ packet: ping4() }).action).toBe("XDP_DROP");
    const reply = eth(ETH_P_IP, ipv4(1, [0, 0, 0, 0, 0, 1, 0, 1]));
    expect(prog.run({ packet: reply }).action).toBe("XDP_PASS");
  });

  it("looks through one VLAN tag", () => {
    const tagged = Uint8Array.from([
      ...udp4(9999).subarray(0, 12),
      0x81,
      0x00,
      0x00,
      0x64,
      0x08,
      0x00,
      ...ipv4(17, udp(1, 9999)),
    ]);
    expect(prog.run({ packet: tagged }).action).toBe("XDP_DROP");
  });

  it("leaves the packet unchanged", () => {
    const p = udp4(53);
    expect(prog.run({ packet: p }).packet).toEqual(p);
  });
});
