// The kernel's side of the bench: load an object with bpftool (verifier
// count per program), put the corpus' map entries in, run a packet with
// BPF_PROG_TEST_RUN, and check that the tsbpf and clang objects give the
// same return value and data_out on every packet of the set, in order.

import {
  loadWithBpftool,
  programMaps,
  testRun,
  updateMap,
  xdpMd,
  type BpftoolLoadHandle,
} from "../../runtime/kernel/index.js";
import type { BenchProgram, Packet } from "../corpus.js";

export interface Loaded {
  handle: BpftoolLoadHandle;
  /** The verifier's processed-instruction count for the program. */
  verifierInsns: number | undefined;
}

export async function loadProgram(objPath: string, prog: BenchProgram): Promise<Loaded> {
  const handle = await loadWithBpftool(objPath, { type: prog.type, programName: prog.name });
  try {
    for (const s of prog.setup ?? []) {
      const info = (await programMaps(handle)).find((m) => m.name === s.map);
      if (!info) throw new Error(`${objPath}: no map named ${s.map}`);
      await updateMap(info.id, Uint8Array.from(s.key), Uint8Array.from(s.value));
    }
  } catch (e) {
    handle.dispose();
    throw e;
  }
  return { handle, verifierInsns: handle.verifierProcessedInsns };
}

export interface PacketRun {
  retval: number;
  dataOut: Uint8Array;
  durationNs: number;
}

export async function runPacket(
  loaded: Loaded,
  prog: BenchProgram,
  packet: Packet,
  repeat?: number,
): Promise<PacketRun> {
  const data = Uint8Array.from(packet.bytes);
  const ctx = prog.type === "xdp" ? xdpMd({ packetLength: data.length }) : undefined;
  const r = await testRun(loaded.handle, {
    data,
    ...(ctx ? { ctx } : {}),
    ...(repeat !== undefined ? { repeat } : {}),
  });
  return { retval: r.retval, dataOut: r.dataOut, durationNs: r.durationNs };
}

export interface Agreement {
  same: boolean;
  /** One line per packet where the two objects differ. */
  differences: string[];
  /** The return values, tsbpf's (equal to clang's where `same`). */
  retvals: number[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Runs every packet once on each object, in order, and compares what the kernel returned. */
export async function compareOnPackets(
  prog: BenchProgram,
  ts: Loaded,
  c: Loaded,
): Promise<Agreement> {
  const differences: string[] = [];
  const retvals: number[] = [];
  for (const packet of prog.packets) {
    const a = await runPacket(ts, prog, packet);
    const b = await runPacket(c, prog, packet);
    retvals.push(a.retval);
    if (a.retval !== b.retval) {
      differences.push(`${packet.name}: retval tsbpf ${a.retval}, clang ${b.retval}`);
    } else if (hex(a.dataOut) !== hex(b.dataOut)) {
      differences.push(`${packet.name}: data_out differs`);
    }
  }
  return { same: differences.length === 0, differences, retvals };
}
