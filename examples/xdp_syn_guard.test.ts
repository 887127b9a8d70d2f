// Unit tests of examples/xdp_syn_guard.ts in the interpreter, with a clock
// the test moves: 3 SYNs per source per 10 s window; other TCP untouched.

import { describe, expect, it } from "vitest";
import { buildExample } from "./support/build.js";
import { loadObject } from "../runtime/index.js";
import { TCP_ACK, TCP_SYN, tcp4, udp4 } from "./support/packets.js";

describe("xdp_syn_guard", () => {
  it("drops SYNs beyond 3 per window from one source, and nothing else", () => {
    let now = 5_000_000_000n;
    const obj = loadObject(buildExample("xdp_syn_guard"), { clock: () => now });
    const prog = obj.program("syn_guard");
    const send = (flags: number, src = "10.0.0.1") =>
      prog.run({ packet: tcp4(80, flags, { src }) }).action;

    expect([send(TCP_SYN), send(TCP_SYN), send(TCP_SYN), send(TCP_SYN)]).toEqual([
      "XDP_PASS",
      "XDP_PASS",
      "XDP_PASS",
      "XDP_DROP",
    ]);
    expect(send(TCP_ACK)).toBe("XDP_PASS"); // established traffic
    expect(send(TCP_SYN | TCP_ACK)).toBe("XDP_PASS"); // answers to our own connections
    expect(send(TCP_SYN, "10.0.0.2")).toBe("XDP_PASS"); // another source
    expect(prog.run({ packet: udp4(80) }).action).toBe("XDP_PASS");

    now += 10_000_000_000n; // a new window
    expect(send(TCP_SYN)).toBe("XDP_PASS");
  });
});
