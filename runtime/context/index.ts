// Contexts of one run: picks the XDP or socket-buffer builder for the
// program type, with the field access table of its context interface
// (stdlib CONTEXTS), and gives back the packet, the context, the data_out
// bytes and a release for the run's regions.

import { CONTEXTS } from "../../stdlib/generated/data/contexts.js";
import type { ProgType } from "../env.js";
import type { Memory } from "../vm/memory.js";
import type { PacketBuffer } from "./packet.js";
import { createSkbRun, skbOutput, socketFilterAccess, type SkbRun } from "./skb.js";
import type { Access, ContextStruct } from "./struct.js";
import { createXdpRun, xdpOutput, type XdpRun } from "./xdp.js";

export { PacketBuffer } from "./packet.js";
export { ContextStruct } from "./struct.js";
export { XDP_PACKET_HEADROOM, XDP_FRAME_SIZE, SKB_SHARED_INFO_SIZE, ETH_HLEN } from "./xdp.js";
export { SKB_HEADROOM, kmallocSize } from "./skb.js";

export interface RunContext {
  packet: PacketBuffer;
  ctx: ContextStruct;
  /** data_out as BPF_PROG_TEST_RUN gives it. */
  output(): Uint8Array;
  /** Drop the packet and context regions (the objects may be reused by a later run). */
  release(): void;
  /** The builder's state (XDP or socket buffer), for reuse. */
  readonly state: XdpRun | SkbRun;
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

const NO_CTX: Readonly<Record<string, number | bigint>> = {};

/**
 * Builds the run's context, or returns why test_run would refuse the input.
 * `previous`, a released context of the same program, is refilled and
 * returned instead when it fits the input (the same object: a program run
 * packet after packet builds its buffer, regions and context once).
 */
export function createRunContext(
  mem: Memory,
  input: ContextInput,
  previous?: RunContext,
): RunContext | string {
  const access = accessFor(input.progType, input.contextName);
  if (input.metadata && input.progType !== "tc") {
    return input.progType === "xdp"
      ? "XDP metadata is given in front of the packet, with ctx.data set to its length"
      : `${input.progType} programs may not read data_meta, so they take no metadata`;
  }
  const common = {
    frame: input.frame,
    ctx: input.ctx ?? NO_CTX,
    access,
    loopbackIfindex: input.loopbackIfindex,
    progType: input.progType,
  };
  if (input.progType === "xdp") {
    const r = createXdpRun(mem, common, previous?.state as XdpRun | undefined);
    return wrap(mem, r, previous, xdpOutput);
  }
  const skbInput = input.metadata ? { ...common, metadata: input.metadata } : common;
  const r = createSkbRun(mem, skbInput, previous?.state as SkbRun | undefined);
  return wrap(mem, r, previous, skbOutput);
}

/** The RunContext of a builder's state: `previous` itself when the builder reused its state. */
function wrap<T extends XdpRun | SkbRun>(
  mem: Memory,
  r: T | string,
  previous: RunContext | undefined,
  output: (r: T) => Uint8Array,
): RunContext | string {
  if (typeof r === "string") return r;
  if (previous !== undefined && r === previous.state) return previous;
  return { packet: r.packet, ctx: r.ctx, state: r, output: () => output(r), release: releaser(mem, r) }; // prettier-ignore
}

const releaser = (mem: Memory, r: { packet: PacketBuffer; ctx: ContextStruct }) => () => {
  r.packet.release();
  mem.removeRegion(r.ctx.region);
};
