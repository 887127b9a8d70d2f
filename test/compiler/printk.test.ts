// bpf_printk compiled and run in the interpreter: the printk log shows the
// formatted text and the helper's result is its length (the kernel side of
// the same program is in programs.test.ts and compiler-compare.test.ts).
// Reproduce: npx vitest run test/compiler/printk.test.ts

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadObject } from "../../runtime/index.js";
import { buildObject, FIXTURES } from "./compile-fixture.js";
import { ETH_P_IP, UDP, eth, ipv4, udp } from "./packets.js";

describe("bpf_printk", () => {
  it("prints the formatted text in the interpreter's log", () => {
    const { objPath } = buildObject(join(FIXTURES, "programs/printk.ts"));
    const prog = loadObject(objPath).program("prog");
    const r = prog.run({ packet: Uint8Array.from(eth(ETH_P_IP, ipv4(UDP, udp(1, 2)))) });
    expect(r.log).toEqual(["tsbpf proto=800 q=0 d=-5"]);
    expect(r.action).toBe("XDP_DROP");
  });
});
