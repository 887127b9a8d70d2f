// Contexts of one run: picks the XDP or socket-buffer builder for the
// program type, with the field access table of its context interface
// (stdlib CONTEXTS), and gives back the packet, the context, the data_out
// bytes and a release for the run's regions.

import { CONTEXTS } from "../../stdlib/generated/data/contexts.js";
import type { ProgType } from "../env.js";
import type { Memory } from "../vm/memory.js";
import type { PacketBuffer } from "./packet.js";
import { createSkbRun, skbOutput, socketFilterAccess } from "./skb.js";
import type { Access, ContextStruct } from "./struct.js";
import { createXdpRun, xdpOutput } from "./xdp.js";

export { PacketBuffer } from "./packet.js";
export { ContextStruct } from "./struct.js";
export { XDP_PACKET_HEADROOM, XDP_FRAME_SIZE, SKB_SHARED_INFO_SIZE, ETH_HLEN } from "./xdp.js";
export { SKB_HEADROOM, kmallocSize } from "./skb.js";

export interface RunContext {
  packet: PacketBuffer;
  ctx: ContextStruct;
  /** data_out as BPF_PROG_TEST_RUN gives it. */
  output(): Uint8Array;
  /** Drop the packet and context regions. */
  release(): void;
}

export interface ContextInput {
  progType: ProgType;
  /** The context interface of the program's section ("XdpContext", "LwtXmitContext"...). */
  contextName: string | undefined;
  /** data_in: from the Ethernet header on (XDP: metadata first when ctx.data is set). */
  frame: Uint8Array;
  ctx?: Readonly<Record<string, number | bigint>>;
  /** tc: skb metadata in front of data (RunInput.metadata). */
  metadata?: Uint8Array;
  loopbackIfindex: number;
}

const ACCESS = new Map<string, Access>();

export function accessFor(progType: ProgType, contextName: string | undefined): Access {
  const key = `${progType} ${contextName}`;
  let access = ACCESS.get(key);
  if (access === undefined) {
    const c = contextName ? CONTEXTS[contextName] : undefined;
    const found = c ?? Object.values(CONTEXTS).find((x) => x.progTypes.includes(progType));
    access = progType === "socket_filter" ? socketFilterAccess() : (found?.access ?? {});
    ACCESS.set(key, access);
  }
  return access;
}

/** Builds the run's context, or returns why test_run would refuse the input. */
export function createRunContext(mem: Memory, input: ContextInput): RunContext | string {
  const access = accessFor(input.progType, input.contextName);
  const common = {
    frame: input.frame,
    ctx: input.ctx ?? {},
    access,
    loopbackIfindex: input.loopbackIfindex,
  };
  const release = (r: { packet: PacketBuffer; ctx: ContextStruct }) => () => {
    r.packet.release();
    mem.removeRegion(r.ctx.region);
  };
  if (input.metadata && input.progType !== "tc") {
    return input.progType === "xdp"
      ? "XDP metadata is given in front of the packet, with ctx.data set to its length"
      : `${input.progType} programs may not read data_meta, so they take no metadata`;
  }
  if (input.progType === "xdp") {
    const r = createXdpRun(mem, { ...common, progType: input.progType });
    if (typeof r === "string") return r;
    return { ...r, output: () => xdpOutput(r), release: release(r) };
  }
  const r = createSkbRun(mem, {
    ...common,
    progType: input.progType,
    ...(input.metadata ? { metadata: input.metadata } : {}),
  });
  if (typeof r === "string") return r;
  return { ...r, output: () => skbOutput(r), release: release(r) };
}
