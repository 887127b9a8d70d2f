// A loaded program keeps its packet buffer, regions and context from run to
// run (runtime/context: createRunContext's `previous`). Each
// BPF_PROG_TEST_RUN starts on a zeroed buffer and a zeroed context, so a
// run must not see what the one before it wrote: these programs read the
// headroom they expose, the tail they grow and a context field they wrote
// in the previous run, then dirty them again. Every packet of a sequence
// (long after short, short after long, a refused runt in between) runs on
// one loaded program in the interpreter and in the kernel; return value and
// data_out must be equal.
//
// Reproduce: sudo npx vitest run test/runtime/context-reuse.test.ts

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { compile, formatDiagnostic } from "../../compiler/index.js";
import { loadObject } from "../../runtime/index.js";
import { loadWithBpftool } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { hex, kernelTestRun } from "./kernel-side.js";

const XDP_SOURCE = `
import { xdp, XdpAction, bpf_xdp_adjust_head, bpf_xdp_adjust_tail, htons, ntohs, type EthHdr } from "tsbpf";

export const dirty_xdp = xdp((ctx) => {
  if (bpf_xdp_adjust_head(ctx, -14) !== 0) return XdpAction.ABORTED;
  const eth = ctx.header<EthHdr>(0);
  if (!eth) return XdpAction.ABORTED;
  const seen = eth.h_dest[0] | eth.h_source[5] | ntohs(eth.h_proto);
  eth.h_dest[0] = 0xff;
  eth.h_source[5] = 0xee;
  eth.h_proto = htons(0xdddd);
  // The grown tail is in data_out: zero in a fresh buffer.
  if (bpf_xdp_adjust_tail(ctx, 40) !== 0) return XdpAction.DROP;
  return seen === 0 ? XdpAction.PASS : XdpAction.TX;
});
`;

const LWT_SOURCE = `
import { lwtXmit, BPF_OK, BPF_DROP, bpf_skb_change_head, htons, ntohs, type EthHdr } from "tsbpf";

export const dirty_lwt = lwtXmit((skb) => {
  const mark = skb.mark;
  skb.mark = 0x55;
  if (bpf_skb_change_head(skb, 14, 0) !== 0) return 7;
  const eth = skb.header<EthHdr>(0);
  if (!eth) return 8;
  const seen = eth.h_dest[0] | ntohs(eth.h_proto);
  eth.h_dest[0] = 0xff;
  eth.h_proto = htons(0xdddd);
  return mark === 0 && seen === 0 ? BPF_OK : BPF_DROP;
});
`;

/** An Ethernet + IPv4 frame of `len` bytes (IHL 5), the rest a pattern that differs per length. */
function frame(len: number): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (i * 7 + len) & 0xff;
  f[12] = 0x08;
  f[13] = 0x00;
  if (len > 14) f[14] = 0x45;
  return f;
}

// Neighbours of similar length share a buffer size (an skb's is kmalloc's
// size class of the frame plus head- and tailroom), so most runs reuse.
const SEQUENCE = [200, 300, 60, 61, 1400, 1300, 14, 100, 9, 120, 60].map(frame);

function build(dir: string, name: string, source: string): string {
  const fileName = join(dir, `${name}.ts`);
  writeFileSync(fileName, source);
  const result = compile({ fileName, text: source });
  if (!result.object) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  const objPath = join(dir, `${name}.o`);
  writeFileSync(objPath, result.object);
  return objPath;
}

describeKernel("a reused run context starts as test_run's fresh one", () => {
  for (const [name, type, source] of [
    ["dirty_xdp", "xdp", XDP_SOURCE],
    ["dirty_lwt", "lwt_xmit", LWT_SOURCE],
  ] as const) {
    kernelTest(
      name,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "tsbpf-reuse-"));
        try {
          const objPath = build(dir, name, source);
          const handle = await loadWithBpftool(objPath, { type });
          try {
            const prog = loadObject(objPath).program(name);
            let ran = 0;
            for (const packet of SEQUENCE) {
              let kernel: { retval: number; packet: string } | "refused";
              try {
                const k = await kernelTestRun(handle.program.pinPath, packet);
                kernel = { retval: k.retval, packet: hex(k.dataOut) };
              } catch {
                kernel = "refused";
              }
              const ours = prog.run({ packet });
              const interp =
                ours.fault?.kind === "load"
                  ? "refused"
                  : ours.fault
                    ? { fault: ours.fault.message }
                    : { retval: ours.retval, packet: hex(ours.packet) };
              expect.soft(interp, `${name}, ${packet.length}-byte packet`).toEqual(kernel);
              if (kernel !== "refused") ran++;
            }
            // Most packets run (a refused one only checks the refusal is the same).
            expect(ran).toBeGreaterThanOrEqual(SEQUENCE.length - 2);
          } finally {
            handle.dispose();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      { timeout: 120_000 },
    );
  }
});
