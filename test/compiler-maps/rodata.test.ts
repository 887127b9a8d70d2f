// `config()` constants live in .rodata, so user space can change them before
// load: the object's .rodata bytes are patched (as a libbpf skeleton would
// before bpf_object__load) and both the interpreter and the kernel then see
// the new value.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf } from "../../bpf/elf/reader.js";
import { loadObject } from "../../runtime/index.js";
import { loadWithBpftool, testRun, xdpMd } from "../../runtime/kernel/index.js";
import { compileFile } from "../compiler/compile-fixture.js";
import { ETH_P_IP, UDP, eth, ipv4, udp } from "../compiler/packets.js";
import { kernelTest } from "../kernel/kernel-test.js";
import { DIR } from "./harness.js";

/** The object with BLOCKED_PORT (the first u16 of .rodata) set to `port`. */
function patched(port: number): Uint8Array {
  const obj = Uint8Array.from(compileFile(join(DIR, "rodata_config.ts")).object!);
  const ro = readElf(obj).sections.find((s) => s.name === ".rodata")!;
  expect(ro.size).toBe(2);
  obj[ro.offset] = port & 0xff;
  obj[ro.offset + 1] = port >> 8;
  return obj;
}

const packet = (dport: number) => Uint8Array.from(eth(ETH_P_IP, ipv4(UDP, udp(1000, dport))));

describe("config() constants set before load", () => {
  it("the interpreter sees the patched value", () => {
    const prog = loadObject(patched(54)).program("rodata_config");
    expect(prog.run({ packet: packet(54) }).retval).toBe(1);
    expect(prog.run({ packet: packet(53) }).retval).toBe(2);
  });

  kernelTest("the kernel sees the patched value", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "tsbpf-rodata-")), "rodata_config.o");
    writeFileSync(path, patched(54));
    const h = await loadWithBpftool(path, { type: "xdp" });
    try {
      for (const [dport, want] of [
        [54, 1],
        [53, 2],
      ] as const) {
        const data = packet(dport);
        const r = await testRun(h, { data, ctx: xdpMd({ packetLength: data.length }) });
        expect(r.retval).toBe(want);
      }
    } finally {
      h.dispose();
    }
  });
});
