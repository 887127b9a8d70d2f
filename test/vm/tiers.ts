// Test helper: the part of a run's result both tiers must agree on.

import { loadObject } from "../../runtime/index.js";
import type { RunResult } from "../../runtime/vm/index.js";

export type Outcome =
  | { r0: string; instructions: number }
  | { kind: string; pc: number; region: string | undefined; instructions: number };

export function outcome(r: RunResult): Outcome {
  return r.ok
    ? { r0: r.r0.toString(16), instructions: r.instructions }
    : {
        kind: r.fault.kind,
        pc: r.fault.pc,
        region: r.fault.region,
        instructions: r.instructions,
      };
}

/**
 * What one program of an object returns for each packet and repeat count on
 * a tier (retval, fault, packet after), for differential tests of loaded
 * programs: the translating tier's trace must equal the interpreter's.
 */
export function packetTrace(
  object: Uint8Array,
  program: string,
  tier: "interpret" | "translate",
  packets: Uint8Array[],
  repeats: number[],
): { retval: unknown; fault: unknown; packet: string }[] {
  const prog = loadObject(object, { tier }).program(program);
  return packets.flatMap((packet) =>
    repeats.map((repeat) => {
      const r = prog.run({ packet, repeat });
      return { retval: r.retval, fault: r.fault, packet: Buffer.from(r.packet).toString("hex") };
    }),
  );
}
