// `tsbpf run` as a user runs it: a .ts or .o file, a packet in hex or a pcap
// file, text and JSON output, exit codes for bad input; --kernel compares
// with BPF_PROG_TEST_RUN (kernel-gated); the pcap reader on both byte orders.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/index.js";
import { parseHex, hexdump } from "../../compiler/cli/hexdump.js";
import { PcapError, readPcap, writePcap } from "../../compiler/cli/pcap.js";
import { arp, hex, tcp4, udp4 } from "../../examples/support/packets.js";
import { kernelTest } from "../kernel/kernel-test.js";
import { repoRoot, tsbpf as runCli } from "../e2e/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tsbpf-run-"));
const example = join(repoRoot, "examples/xdp_drop_port.ts");
const file = (name: string, data: string | Uint8Array): string => {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
};

// One object built in-process, so most cases skip the compile step.
const compiled = compile({
  fileName: example,
  text: `import { xdp, XdpAction, type EthHdr } from "tsbpf";
export const first_byte = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.ABORTED;
  return eth.h_dest[0] === 0xff ? XdpAction.DROP : XdpAction.PASS;
});
`,
});
const objectPath = file("first_byte.o", compiled.object!);

describe("tsbpf run", () => {
  it("compiles a .ts file and runs one packet: retval, action, hex dump", async () => {
    const r = await runCli(["run", example, "--packet", hex(udp4(9999))]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("program   drop_port (xdp)");
    expect(r.stdout).toContain("retval    1 (XDP_DROP)");
    expect(r.stdout).toMatch(/packet {4}\d+ bytes \(unchanged\)/);
    expect(r.stdout).toMatch(/^ {2}0000 {2}02 00 00 00 00 0b/m);
  });

  it("runs a .o file and prints JSON", async () => {
    const r = await runCli(["run", objectPath, "--packet", `ff${"00".repeat(13)}`, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      program: string;
      runs: { action: string; log: string[] }[];
    };
    expect(j.program).toBe("first_byte");
    expect(j.runs[0]!.action).toBe("XDP_DROP");
    expect(j.runs[0]!.log).toEqual([]);
  });

  it("runs every packet of a pcap file, one line each, with a total", async () => {
    const pcap = file("three.pcap", writePcap([udp4(9999), udp4(53), arp()]));
    const r = await runCli(["run", example, "--pcap", pcap]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("program drop_port (xdp), 3 packets");
    expect(lines[1]).toMatch(/^#1 .*1 \(XDP_DROP\)/);
    expect(lines[2]).toMatch(/^#2 .*2 \(XDP_PASS\)/);
    expect(lines[3]).toMatch(/^#3 .*2 \(XDP_PASS\)/);
    expect(lines[4]).toBe("total: 1 XDP_DROP, 2 XDP_PASS");
  });

  it("says a missing input file is missing: exit 1, no stack trace", async () => {
    const r = await runCli(["run", join(dir, "nope.o"), "--packet", "00"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.o: no such file");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const p = await runCli(["run", objectPath, "--pcap", join(dir, "nope.pcap")]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("nope.pcap: no such file");
  });

  it("shows the compiler's diagnostics for a syntax error and an unsupported construct", async () => {
    const bad = file(
      "bad.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  return XdpAction.PASS\n`,
    );
    const r = await runCli(["run", bad, "--packet", "00"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.ts:\d+:\d+ - error TSB\d+/);
    expect(r.stderr).toContain("did not compile");
    const unsupported = file(
      "unsupported.ts",
      `import { xdp, XdpAction } from "tsbpf";\nexport const p = xdp((ctx) => {\n  try { return XdpAction.PASS; } catch { return XdpAction.DROP; }\n});\n`,
    );
    const u = await runCli(["run", unsupported, "--packet", "00"]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/unsupported\.ts:3:\d+ - error/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a file that is not a BPF object, and a bad pcap, with exit 1", async () => {
    const r = await runCli(["run", file("junk.o", "not an elf"), "--packet", "00"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("junk.o:");
    const p = await runCli([
      "run",
      objectPath,
      "--pcap",
      file("junk.pcap", "0123456789abcdefghijklmnopqrstuvwxyz"),
    ]);
    expect(p.code).toBe(1);
    expect(p.stderr).toContain("not a pcap file");
  });

  it("is a usage error (exit 2) without a packet, with bad hex, or with bad --ctx", async () => {
    expect((await runCli(["run", objectPath])).code).toBe(2);
    const h = await runCli(["run", objectPath, "--packet", "0g"]);
    expect(h.code).toBe(2);
    expect(h.stderr).toContain("'g' is not a hex digit");
    const c = await runCli(["run", objectPath, "--packet", "00", "--ctx", "{nope"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--ctx is not JSON");
    expect(
      (await runCli(["run", objectPath, "--packet", "00", "--program", "zz"])).stderr,
    ).toContain("no program 'zz' (it has: first_byte)");
  });

  it("reports a runtime fault with exit 1", async () => {
    // A 1-byte frame: test_run refuses frames shorter than an Ethernet header.
    const r = await runCli(["run", objectPath, "--packet", "ff"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("fault");
  });

  kernelTest("--kernel runs the same object in the kernel and shows both columns", async () => {
    const r = await runCli(["run", example, "--packet", hex(tcp4(9999)), "--kernel"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/interpreter +kernel/);
    expect(r.stdout).toMatch(/retval +1 \(XDP_DROP\) +1 \(XDP_DROP\)/);
    expect(r.stdout).toContain("kernel and interpreter agree");
    const pcap = file("k.pcap", writePcap([udp4(9999), udp4(1)], { bigEndian: true }));
    const p = await runCli(["run", example, "--pcap", pcap, "--kernel"]);
    expect(p.code).toBe(0);
    expect(p.stdout.match(/agree/g)?.length).toBe(2);
  });

  kernelTest(
    "--kernel reports a program the verifier rejects: exit 1, no stack trace",
    async () => {
      const tooLong = file(
        "too_long.ts",
        // Compiles, but the verifier gives up after a million instructions.
        `import { xdp, XdpAction } from "tsbpf";
let total: u64 = 0;
export const p = xdp((ctx) => {
  for (let i = 0; i < 2000000; i++) total += 1;
  return XdpAction.PASS;
});
`,
      );
      const r = await runCli(["run", tooLong, "--packet", hex(udp4(1)), "--kernel"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("the kernel refused the object");
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    { timeout: 180_000 },
  );
});

describe("pcap reader and hex helpers", () => {
  it("reads little- and big-endian files alike", async () => {
    const frames = [udp4(1), tcp4(2)];
    for (const bigEndian of [false, true]) {
      const got = readPcap(writePcap(frames, { bigEndian }));
      expect(got.map((p) => hex(p.data))).toEqual(frames.map(hex));
      expect(got[1]!.time).toBe(1_700_000_001);
    }
  });

  it("refuses pcapng, other link types and cut records", async () => {
    const ng = new Uint8Array(32);
    new DataView(ng.buffer).setUint32(0, 0x0a0d0d0a, true);
    expect(() => readPcap(ng)).toThrow(/pcapng/);
    expect(() => readPcap(writePcap([udp4(1)], { linkType: 101 }))).toThrow(/not Ethernet/);
    expect(() => readPcap(writePcap([udp4(1)]).subarray(0, 50))).toThrow(PcapError);
  });

  it("parses hex with separators and dumps 16 bytes a row", async () => {
    expect(parseHex("0x45:00 0a-0b")).toEqual(Uint8Array.from([0x45, 0, 0x0a, 0x0b]));
    expect(parseHex("abc")).toMatch(/odd number/);
    const row = hexdump(Uint8Array.from([0x41, 0x42, 0]));
    expect(row).toMatch(/^0000  41 42 00 +\|AB\.\|$/);
    expect(row.indexOf("|")).toBe(56);
  });
});
