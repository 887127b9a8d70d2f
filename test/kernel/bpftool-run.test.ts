// Kernel harness, bpftool side: load clang-built objects with bpftool, run
// them with BPF_PROG_TEST_RUN, and read and write their maps.
// Reproduce: clang-19 -O2 -g -target bpf -mcpu=v4 -I/usr/include/x86_64-linux-gnu -c x.c
//   bpftool -d prog loadall x.o /sys/fs/bpf/D type xdp; bpftool -j prog run pinned ...

import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import {
  dumpMap,
  ethernetFrame,
  loadWithBpftool,
  lookupMap,
  lwtPacketOut,
  programMaps,
  testRun,
  updateMap,
  xdpMd,
  type BpftoolLoadHandle,
} from "../../runtime/kernel/index.js";
import { cBuildDir, LWT_XMIT_C, UNNAMED_PARAM_C, XDP_COUNT_C, type CBuildDir } from "./clang.js";
import { describeKernel, kernelTest } from "./kernel-test.js";

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;
const BPF_OK = 0;
const BPF_DROP = 2;

function u64le(bytes: Uint8Array | undefined): bigint {
  if (!bytes) throw new Error("no value");
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
}

/** A 20-byte IPv4 header (no options) from 10.0.0.1 to `daddr`, plus `extra` payload bytes. */
function ipv4(daddr: [number, number, number, number], extra = 0): Uint8Array {
  const p = new Uint8Array(20 + extra);
  p.set([0x45, 0, 0, 20 + extra, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, ...daddr]);
  for (let i = 0; i < extra; i++) p[20 + i] = i & 0xff;
  return p;
}

describeKernel(
  "bpftool load + test run",
  () => {
    let build: CBuildDir;
    let xdp: BpftoolLoadHandle;
    let lwt: BpftoolLoadHandle;

    beforeAll(async () => {
      build = cBuildDir();
      const xdpObj = await build.compile("xdp_count", XDP_COUNT_C);
      const lwtObj = await build.compile("lwt_filter", LWT_XMIT_C);
      xdp = await loadWithBpftool(xdpObj, { type: "xdp" });
      lwt = await loadWithBpftool(lwtObj, { type: "lwt_xmit" });
    });
    afterAll(() => {
      xdp?.dispose();
      lwt?.dispose();
      build?.dispose();
    });

    kernelTest("pins the program and reports the verifier log", () => {
      expect(xdp.program.name).toBe("xdp_count");
      expect(xdp.program.type).toBe("xdp");
      expect(xdp.program.pinPath).toMatch(/^\/sys\/fs\/bpf\/tsbpf-\d+-\d+-load\/xdp_count$/);
      expect(existsSync(xdp.program.pinPath)).toBe(true);
      expect(xdp.log).toContain("-- BEGIN PROG LOAD LOG --");
      expect(xdp.btfIgnored).toBe(false);
      expect(xdp.log).not.toContain("BTF is optional, ignoring");
      // The program is ~30 instructions with two branches; the verifier walks each path once.
      expect(xdp.verifierProcessedInsns).toBeGreaterThan(15);
      expect(xdp.verifierProcessedInsns).toBeLessThan(200);
      expect(lwt.program.type).toBe("lwt_xmit");
    });

    kernelTest("XDP: verdict by first byte, data_out equals the frame, map counts", async () => {
      const pass = ethernetFrame(ipv4([192, 0, 2, 1], 30));
      const drop = Uint8Array.from(pass);
      drop[0] = 0xff;
      const r1 = await testRun(xdp, { data: pass });
      const r2 = await testRun(xdp, { data: drop });
      const r3 = await testRun(xdp, { data: pass, repeat: 5 });
      expect([r1.retval, r2.retval, r3.retval]).toEqual([XDP_PASS, XDP_DROP, XDP_PASS]);
      expect(r1.dataOut).toEqual(pass);
      expect(r2.dataOut).toEqual(drop);
      expect(r1.durationNs).toBeGreaterThanOrEqual(0);
      expect(r1.ctxOut).toBeUndefined();

      const maps = await programMaps(xdp);
      expect(maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries])).toEqual([
        ["counts", "array", 4, 8, 2],
      ]);
      const entries = await dumpMap(maps[0]!.id);
      expect(entries.map((e) => Array.from(e.key))).toEqual([
        [0, 0, 0, 0],
        [1, 0, 0, 0],
      ]);
      // 1 + 1 + 5 runs counted, one of them dropped.
      expect(entries.map((e) => u64le(e.value))).toEqual([7n, 1n]);
      expect(entries[0]!.formatted).toEqual({ key: 0, value: 7 });
    });

    kernelTest("XDP: ctx_in xdp_md comes back in ctx_out; an empty frame aborts", async () => {
      const frame = ethernetFrame(ipv4([192, 0, 2, 1]));
      const r = await testRun(xdp, { data: frame, ctx: xdpMd({ packetLength: frame.length }) });
      expect(r.retval).toBe(XDP_PASS);
      expect(r.ctxOut?.length).toBe(24);
      const ctx = new DataView(r.ctxOut!.buffer);
      expect(ctx.getUint32(4, true)).toBe(frame.length);
      // data_end 0 in ctx_in: the program sees no bytes at all.
      const aborted = await testRun(xdp, { data: frame, ctx: new Uint8Array(24) });
      expect(aborted.retval).toBe(XDP_ABORTED);
    });

    kernelTest("map update from the test changes what the program computes", async () => {
      const [counts] = await programMaps(xdp.program);
      const key = Uint8Array.of(1, 0, 0, 0);
      await updateMap(counts!.id, key, Uint8Array.of(40, 0, 0, 0, 0, 0, 0, 0));
      const drop = ethernetFrame(ipv4([192, 0, 2, 1]));
      drop[0] = 0xff;
      expect((await testRun(xdp, { data: drop })).retval).toBe(XDP_DROP);
      expect(u64le((await lookupMap(counts!.id, key))?.value)).toBe(41n);
      await expect(
        updateMap(counts!.id, Uint8Array.of(1, 0, 0), new Uint8Array(8)),
      ).rejects.toThrow(/4-byte keys, got 3/);
    });

    kernelTest(
      "LWT xmit: Ethernet header consumed, 14 zero bytes back, verdict by daddr",
      async () => {
        const okPacket = ipv4([192, 0, 2, 1], 8);
        const dropPacket = ipv4([192, 0, 2, 66], 8);
        const ok = await testRun(lwt, { data: ethernetFrame(okPacket), ctx: new Uint8Array(192) });
        const dropped = await testRun(lwt, { data: ethernetFrame(dropPacket) });
        expect(ok.retval).toBe(BPF_OK);
        expect(dropped.retval).toBe(BPF_DROP);
        expect(ok.dataOut.length).toBe(14 + okPacket.length);
        expect(Array.from(ok.dataOut.subarray(0, 14))).toEqual(new Array(14).fill(0));
        expect(lwtPacketOut(ok.dataOut)).toEqual(okPacket);
        expect(lwtPacketOut(dropped.dataOut)).toEqual(dropPacket);
        // ctx_out is struct __sk_buff, but the kernel copies back only the fields
        // ctx_in may set (mark, priority, cb[], ...): len at 0 stays 0, mark at 8 is 7.
        expect(ok.ctxOut?.length).toBe(192);
        const skb = new DataView(ok.ctxOut!.buffer);
        expect(skb.getUint32(0, true)).toBe(0);
        expect(skb.getUint32(8, true)).toBe(7);
      },
    );

    kernelTest("LWT xmit: a hash-map verdict inserted by the test is used", async () => {
      const [verdicts] = await programMaps(lwt);
      expect(verdicts?.type).toBe("hash");
      const daddr = Uint8Array.of(192, 0, 2, 5);
      expect(await lookupMap(verdicts!.id, daddr)).toBeUndefined();
      const packet = ethernetFrame(ipv4([192, 0, 2, 5]));
      expect((await testRun(lwt, { data: packet })).retval).toBe(BPF_OK);
      await updateMap(verdicts!.id, daddr, Uint8Array.of(BPF_DROP, 0, 0, 0), "noexist");
      expect((await testRun(lwt, { data: packet })).retval).toBe(BPF_DROP);
      const dump = await dumpMap(verdicts!.id);
      expect(dump.map((e) => [Array.from(e.key), Array.from(e.value!)])).toEqual([
        [
          [192, 0, 2, 5],
          [2, 0, 0, 0],
        ],
      ]);
    });

    kernelTest("BTF the kernel refuses: the program loads, btfIgnored is set", async () => {
      const obj = await build.compile("unnamed", UNNAMED_PARAM_C, ["-std=gnu2x"]);
      const h = await loadWithBpftool(obj, { type: "xdp" });
      try {
        expect(h.btfIgnored).toBe(true);
        expect(h.log).toContain("Invalid arg#1");
        expect(h.program.name).toBe("unnamed_param");
      } finally {
        h.dispose();
      }
    });

    kernelTest("dispose removes the pins", async () => {
      const obj = await build.compile("again", XDP_COUNT_C);
      const h = await loadWithBpftool(obj, { type: "xdp" });
      expect(existsSync(h.pinDir)).toBe(true);
      h.dispose();
      expect(existsSync(h.pinDir)).toBe(false);
    });
  },
  { tools: ["clang-19"] },
);
