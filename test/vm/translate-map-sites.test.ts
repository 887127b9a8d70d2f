// bpf_map_lookup_elem at a call site of translated code
// (runtime/loader/lookup-site.ts keeps the map and the last value's region
// per site) against the reference interpreter, on one raw program whose
// packet bytes choose what the site sees: one of three maps (array, hash,
// per-CPU array) or a pointer that is no map, a key on the stack, one byte
// past the stack's end or NULL, and what happens to the element after the
// lookup (an increment, a delete from the program, then a write through the
// old pointer). Packets run in sequences, with repeat, with user-space
// updates and deletes between runs, on two CPUs, and past the 1024 value
// regions a run keeps (ObjectMaps.endRun drops them all). Every run's
// result, fault (kind, slot, message) and every map's contents must be the
// same on both tiers.

import { describe, expect, it } from "vitest";
import { writeObject } from "../../bpf/elf/index.js";
import {
  Add64,
  Call,
  Exit,
  Ja,
  Jeq,
  Jgt,
  LoadMapPtr,
  LoadMem,
  Mov64,
  Reg,
  StoreMem,
  label,
  type Instruction,
} from "../../bpf/isa/index.js";
import { loadObject, type TsbpfObject } from "../../runtime/index.js";

const { R0, R1, R2, R3, R6, R7, R8, R9, R10 } = Reg;
const LOOKUP = 1;
const DELETE = 3;
const MAPS = ["arr", "hash", "pcpu"] as const;

// Packet bytes: [0] which map (0-2, 3: the stack pointer, 4: a map pointer + 8),
// [1] key place (0: stack, 1: one byte past the stack's end, 2: NULL),
// [2] 1: delete the key after the lookup (hash only), [4..8) the key.
const CODE: Instruction[] = [
  Mov64.reg(R6, R1),
  LoadMem(4, R7, R6, 0), // data
  LoadMem(4, R8, R6, 4), // data_end
  Mov64.reg(R1, R7),
  Add64.imm(R1, 8),
  Jgt.reg(R1, R8, "short"),
  LoadMem(4, R3, R7, 4),
  StoreMem(4, R10, -8, R3), // the key
  LoadMem(1, R3, R7, 0),
  LoadMapPtr(R1, "arr"),
  Jeq.imm(R3, 0, "key"),
  LoadMapPtr(R1, "hash"),
  Jeq.imm(R3, 1, "key"),
  LoadMapPtr(R1, "pcpu"),
  Jeq.imm(R3, 2, "key"),
  Mov64.reg(R1, R10),
  Jeq.imm(R3, 3, "key"),
  LoadMapPtr(R1, "arr"),
  Add64.imm(R1, 8),
  label("key", Mov64.reg(R2, R10)),
  Add64.imm(R2, -8),
  LoadMem(1, R3, R7, 1),
  Jeq.imm(R3, 0, "call"),
  Add64.imm(R2, 5), // r10 - 3: the 4-byte key's last byte is past the stack
  Jeq.imm(R3, 1, "call"),
  Mov64.imm(R2, 0),
  label("call", Call(LOOKUP)),
  Jeq.imm(R0, 0, "miss"),
  Mov64.reg(R9, R0),
  LoadMem(8, R3, R9, 0),
  Add64.imm(R3, 1),
  StoreMem(8, R9, 0, R3),
  LoadMem(1, R3, R7, 2),
  Jeq.imm(R3, 0, "read"),
  LoadMapPtr(R1, "hash"),
  Mov64.reg(R2, R10),
  Add64.imm(R2, -8),
  Call(DELETE),
  // The deleted element's memory, through the pointer from before the delete.
  LoadMem(8, R3, R9, 0),
  Add64.imm(R3, 0x100),
  StoreMem(8, R9, 0, R3),
  label("read", LoadMem(4, R0, R9, 0)),
  Exit(),
  label("miss", Mov64.imm(R0, 0x7777)),
  Ja("out"),
  label("short", Mov64.imm(R0, 0x5555)),
  label("out", Exit()),
];

const OBJECT = writeObject({
  license: "GPL",
  programs: [{ name: "sites", section: "xdp", insns: CODE }],
  maps: [
    { name: "arr", type: 2, maxEntries: 4, key: 4, value: 16 },
    { name: "hash", type: 1, maxEntries: 2048, key: 4, value: 16 },
    { name: "pcpu", type: 6, maxEntries: 4, key: 4, value: 16 },
  ],
});

function packet(map: number, place: number, del: number, key: number): Uint8Array {
  const p = new Uint8Array(16);
  p.set([map, place, del]);
  new DataView(p.buffer).setUint32(4, key, true);
  return p;
}

interface Step {
  packet: Uint8Array;
  repeat?: number;
  cpu?: number;
  /** User space first: set (value's first byte) or delete (undefined) a hash key. */
  user?: [key: number, value: number | undefined];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Every run's result and fault, then every map's entries, on one tier. */
function trace(tier: "interpret" | "translate", steps: readonly Step[]): unknown[] {
  const obj: TsbpfObject = loadObject(OBJECT, { cpus: 2, tier });
  const prog = obj.program("sites");
  const out: unknown[] = [];
  for (const s of steps) {
    if (s.user) {
      const [k, v] = s.user;
      if (v === undefined) obj.maps["hash"]!.delete(k);
      else obj.maps["hash"]!.set(k, Uint8Array.of(v, ...new Array<number>(15).fill(0)));
    }
    const r = prog.run({ packet: s.packet, repeat: s.repeat ?? 1, cpu: s.cpu ?? 0 });
    out.push({ retval: r.retval, fault: r.fault, packet: hex(r.packet) });
  }
  for (const m of MAPS) {
    out.push(
      m,
      obj.maps[m]!.entries()
        .map(([k, v]) => `${hex(k)}=${hex(v)}`)
        .sort(),
    );
  }
  return out;
}

function agree(steps: readonly Step[]): unknown[] {
  const reference = trace("interpret", steps);
  expect(trace("translate", steps)).toEqual(reference);
  return reference;
}

/** `n` runs of each packet, enough for the site to be warm before the odd one. */
const warm = (p: Uint8Array, n = 3): Step[] => Array.from({ length: n }, () => ({ packet: p }));

describe("map lookup call sites: translated vs interpreted", () => {
  it("hits and misses on each map kind, the site switching maps between runs", () => {
    const steps: Step[] = [
      { packet: packet(1, 0, 0, 7), user: [7, 40] },
      ...warm(packet(0, 0, 0, 1)),
      { packet: packet(0, 0, 0, 4), repeat: 5 }, // index past max_entries: NULL
      { packet: packet(1, 0, 0, 7), repeat: 5 },
      { packet: packet(1, 0, 0, 8) }, // no such key
      { packet: packet(2, 0, 0, 3), repeat: 4 },
      { packet: packet(2, 0, 0, 3), repeat: 4, cpu: 1 },
      { packet: packet(0, 0, 0, 1), repeat: 7 },
      { packet: packet(0, 0, 0, 2), repeat: 7 },
      { packet: packet(1, 0, 0, 7) },
    ];
    const retvals = agree(steps)
      .slice(0, steps.length)
      .map((r) => (r as { retval: number }).retval);
    expect(retvals).toEqual([41, 1, 2, 3, 0x7777, 46, 0x7777, 4, 4, 10, 7, 47]);
  });

  it("faults at the call: no map, a map pointer plus 8, a key one byte past the stack, NULL", () => {
    for (const odd of [
      packet(3, 0, 0, 1),
      packet(4, 0, 0, 1),
      packet(0, 1, 0, 1),
      packet(1, 2, 0, 7),
    ]) {
      const steps = [...warm(packet(0, 0, 0, 1)), { packet: odd }, ...warm(packet(0, 0, 0, 1), 2)];
      const r = agree(steps) as { fault?: { kind: string; pc: number; message: string } }[];
      expect(r[3]!.fault?.message).toMatch(/not a map|read of 4 bytes|unmapped/);
    }
  });

  it("a pointer into an element deleted after the lookup, then user-space updates between runs", () => {
    const steps: Step[] = [
      { packet: packet(1, 0, 0, 5), user: [5, 1] },
      ...warm(packet(1, 0, 0, 5)),
      { packet: packet(1, 0, 1, 5) }, // delete, then write through the old pointer
      { packet: packet(1, 0, 0, 5) }, // gone
      { packet: packet(1, 0, 0, 5), user: [5, 9] }, // back, in new memory
      { packet: packet(1, 0, 0, 5), repeat: 3, user: [5, 20] }, // replaced by user space
      { packet: packet(1, 0, 0, 5), user: [5, undefined] },
      { packet: packet(1, 0, 0, 6), user: [6, 3] },
      { packet: packet(1, 0, 1, 6), repeat: 3 }, // deleted in the first run, misses after
    ];
    agree(steps);
  });

  it("past the value regions a run keeps: regions dropped and made again", () => {
    const steps: Step[] = [];
    // Each key twice in a row: the run that registers the 1025th region
    // drops them all at its end, so the next run finds its value's region gone.
    for (let k = 0; k < 1100; k++) {
      steps.push(
        { packet: packet(1, 0, 0, k), user: [k, k & 255] },
        { packet: packet(1, 0, 0, k) },
      );
    }
    for (let k = 0; k < 1100; k += 7) steps.push({ packet: packet(1, 0, 0, k), repeat: 2 });
    steps.push(...warm(packet(0, 0, 0, 3)), ...warm(packet(1, 0, 0, 3)));
    agree(steps);
  });
});
