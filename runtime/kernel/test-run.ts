// BPF_PROG_TEST_RUN through `bpftool -j prog run pinned P data_in F
// data_out - [ctx_in C ctx_out -] [repeat N]`: the kernel's own answer for
// one input. Bytes go in through temp files and come back in bpftool's JSON.
// Layout (OBJECT-FORMAT.md): XDP data starts at the Ethernet header and ctx
// is struct xdp_md; LWT data must carry a 14-byte Ethernet header that the
// kernel consumes, and data_out returns with 14 zero bytes in its place.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BpftoolLoadHandle, PinnedProgram } from "./bpftool-load.js";
import { parseJson } from "./bpftool-load.js";
import { run } from "./exec.js";

export interface TestRunInput {
  /** data_in: the packet, from the Ethernet header on (for LWT too). */
  data: Uint8Array;
  /** ctx_in: struct xdp_md for XDP, struct __sk_buff for skb programs. */
  ctx?: Uint8Array;
  /** Run this many times; durationNs is then the average. */
  repeat?: number;
  /** Room for data_out; default data.length + 4096 so programs may grow the packet. */
  dataSizeOut?: number;
  timeoutMs?: number;
  /**
   * Run on this CPU: bpftool is started under `taskset -c cpu`, as XDP and skb test_run refuse
   * BPF_F_TEST_RUN_ON_CPU and run the program on the calling task's CPU.
   */
  cpu?: number;
}

export interface TestRunResult {
  retval: number;
  /** data_out exactly as the kernel returned it (for LWT: 14 zero bytes, then the IP packet). */
  dataOut: Uint8Array;
  /** ctx_out, when ctx was given. */
  ctxOut: Uint8Array | undefined;
  durationNs: number;
}

/** Something that names a pinned program. */
export type ProgramRef = BpftoolLoadHandle | PinnedProgram | string;

/** The bpffs path of a program reference. */
export function pinPathOf(ref: ProgramRef): string {
  if (typeof ref === "string") return ref;
  return "program" in ref ? ref.program.pinPath : ref.pinPath;
}

interface ProgRunJson {
  retval: number;
  duration: number;
  data_out?: number[];
  ctx_out?: number[];
}

/** Runs the program once (or `repeat` times) on `data` in the kernel. */
export async function testRun(program: ProgramRef, input: TestRunInput): Promise<TestRunResult> {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-run-"));
  try {
    const dataIn = join(dir, "data_in.bin");
    writeFileSync(dataIn, input.data);
    const dataSizeOut = input.dataSizeOut ?? input.data.length + 4096;
    const args = ["-j", "prog", "run", "pinned", pinPathOf(program)];
    args.push("data_in", dataIn, "data_out", "-", "data_size_out", String(dataSizeOut));
    if (input.ctx) {
      const ctxIn = join(dir, "ctx_in.bin");
      writeFileSync(ctxIn, input.ctx);
      // The kernel refuses a ctx_out smaller than its struct; ask for plenty.
      const ctxSizeOut = Math.max(input.ctx.length, 1024);
      args.push("ctx_in", ctxIn, "ctx_out", "-", "ctx_size_out", String(ctxSizeOut));
    }
    if (input.repeat !== undefined) args.push("repeat", String(input.repeat));
    const timeoutMs = input.timeoutMs ?? 60_000;
    const r =
      input.cpu === undefined
        ? await run("bpftool", args, { timeoutMs })
        : await run("taskset", ["-c", String(input.cpu), "bpftool", ...args], { timeoutMs });
    const j = parseJson<ProgRunJson>(r.stdout, ["bpftool", ...args]);
    return {
      retval: j.retval,
      dataOut: Uint8Array.from(j.data_out ?? []),
      ctxOut: j.ctx_out ? Uint8Array.from(j.ctx_out) : undefined,
      durationNs: j.duration,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Ethernet header (dst, src, ethertype) in front of `payload`; the LWT test-run input shape. */
export function ethernetFrame(
  payload: Uint8Array,
  opts: { ethertype?: number; dst?: Uint8Array; src?: Uint8Array } = {},
): Uint8Array {
  const frame = new Uint8Array(14 + payload.length);
  frame.set(opts.dst ?? new Uint8Array(6), 0);
  frame.set(opts.src ?? new Uint8Array(6), 6);
  const type = opts.ethertype ?? 0x0800;
  frame[12] = type >> 8;
  frame[13] = type & 0xff;
  frame.set(payload, 14);
  return frame;
}

/** The IP packet of an LWT data_out: what follows the 14 zero bytes the kernel prepends. */
export function lwtPacketOut(dataOut: Uint8Array): Uint8Array {
  return dataOut.subarray(14);
}

/**
 * struct xdp_md for ctx_in (24 bytes, little-endian u32s). The kernel wants
 * data = metadata length, data_end = packet length, data_meta = 0, and
 * rx_queue_index below the ingress device's queue count.
 */
export function xdpMd(fields: {
  packetLength: number;
  metaLength?: number;
  ingressIfindex?: number;
  rxQueueIndex?: number;
}): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, fields.metaLength ?? 0, true);
  v.setUint32(4, fields.packetLength, true);
  v.setUint32(8, 0, true);
  v.setUint32(12, fields.ingressIfindex ?? 0, true);
  v.setUint32(16, fields.rxQueueIndex ?? 0, true);
  v.setUint32(20, 0, true);
  return b;
}
