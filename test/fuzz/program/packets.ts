// Random packets for generated programs: mostly random bytes (the programs
// read header views at random offsets, so any bytes exercise them), with
// lengths around the views' bounds (short packets fail the checks, long
// ones pass) and some bytes repeated so map keys taken from the packet
// collide across packets.

import type { Rng } from "../rng.js";

export function randomPacket(rng: Rng): Uint8Array {
  // test_run needs at least an Ethernet header (14 bytes).
  const len = rng.chance(0.3) ? rng.range(14, 40) : rng.range(40, 160);
  const p = rng.bytes(len);
  if (rng.chance(0.5)) {
    // Few distinct values: keys and comparisons hit more often.
    for (let i = 0; i < len; i++)
      if (rng.chance(0.6)) p[i] = rng.pick([0, 1, 2, 3, 0x7f, 0x80, 0xff]);
  }
  return p;
}
