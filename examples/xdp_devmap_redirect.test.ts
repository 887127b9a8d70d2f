// Unit tests of examples/xdp_devmap_redirect.ts in the interpreter: with the
// devmap slot empty the frame passes; with it set to an interface, UDP to
// port 8000 is redirected there with the next hop's MAC written in.

import { describe, expect, it } from "vitest";
import { buildExample } from "./support/build.js";
import { loadObject } from "../runtime/index.js";
import { udp4 } from "./support/packets.js";

describe("xdp_devmap_redirect", () => {
  it("redirects UDP to port 8000 through devmap slot 0, rewriting the destination MAC", () => {
    const obj = loadObject(buildExample("xdp_devmap_redirect"), { ifindexes: [1, 7] });
    const prog = obj.program("forward_udp");

    expect(prog.run({ packet: udp4(8000) }).action).toBe("XDP_PASS"); // slot empty

    expect(obj.maps.out_ports!.set(0, Uint8Array.from([7, 0, 0, 0]))).toBe(0);
    const r = prog.run({ packet: udp4(8000) });
    expect(r.action).toBe("XDP_REDIRECT");
    expect(r.redirect?.target).toMatchObject({ ifindex: 7 });
    expect([...r.packet.subarray(0, 6)]).toEqual([2, 0, 0, 0, 0, 0x0c]);

    const other = udp4(8001);
    const p = prog.run({ packet: other });
    expect(p.action).toBe("XDP_PASS");
    expect(p.packet).toEqual(other);
  });
});
