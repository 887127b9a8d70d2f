// Special fields of map values, the parts map-fields-kernel.test.ts leaves
// out: what user space reads, and per-CPU maps.
// - User space never sees a special field: the kernel copies a value out
//   around them and zeroes them in the user's buffer (copy_map_value,
//   check_and_init_map_value), so a dump shows zeros where a kptr address,
//   or spin lock is (list heads come out as empty lists: see maskHeads).
//   Both maps of map-fields.c.ts are dumped after each packet, with kptrs
//   and list items in them.
// - Per-CPU maps hold kptrs too (map-fields-percpu.c.ts): a program's update
//   of a per-CPU array slot frees the kptr the old value held, a per-CPU hash
//   element has it freed when the key is updated (in place, pcpu_copy_value)
//   or deleted.
// Each packet is [op, key, map, value]; out[0] and the dumps must agree after each.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { ARRAY, HASH, MAP_FIELDS_C, OP, fieldsFrame } from "./map-fields.c.js";
import { MAP_FIELDS_PERCPU_C } from "./map-fields-percpu.c.js";
import { diffObject, type DiffObject, type Outcome } from "./diff.js";

const { PUSH, KPTR_SET, KPTR_TAKE, UPDATE, DELETE, TAG } = OP;

const USER_VIEW: number[][] = [
  [PUSH, 0, ARRAY, 11],
  [KPTR_SET, 0, ARRAY, 21],
  [PUSH, 1, HASH, 31],
  [KPTR_SET, 1, HASH, 41],
  [UPDATE, 1, ARRAY, 7],
  [UPDATE, 1, HASH, 9],
];

const PER_CPU: Record<string, number[][]> = {
  "per-CPU array slot overwritten": [
    [KPTR_SET, 0, ARRAY, 21],
    [UPDATE, 0, ARRAY, 7],
    [KPTR_TAKE, 0, ARRAY, 0],
    [TAG, 0, ARRAY, 0],
    [KPTR_SET, 1, ARRAY, 22],
    [TAG, 1, ARRAY, 0],
  ],
  "per-CPU hash element updated and deleted": [
    [KPTR_SET, 1, HASH, 41],
    [UPDATE, 1, HASH, 9],
    [TAG, 1, HASH, 0],
    [KPTR_TAKE, 1, HASH, 0],
    [KPTR_SET, 1, HASH, 42],
    [DELETE, 1, HASH, 0],
    [KPTR_TAKE, 1, HASH, 0],
    [KPTR_SET, 0, HASH, 43],
  ],
};

async function agree(
  obj: DiffObject,
  program: string,
  what: string,
  packets: number[][],
  mask: (o: Outcome, side: "kernel" | "runtime") => Outcome = (o) => o,
) {
  for (const [i, body] of packets.entries()) {
    const packet = fieldsFrame(body);
    // One CPU for both: per-CPU values are compared CPU by CPU.
    const k = mask(await obj.kernel(program, packet, 0), "kernel");
    const r = mask(obj.runtime(program, packet, 0), "runtime");
    expect(r, `${what}, packet ${i} (${body.join(",")})`).toEqual(k);
  }
}

/** struct val of map-fields.c.ts: the two bpf_list_heads, bytes 16..48 (hex 32..96). */
const HEADS_HEX: [number, number] = [32, 96];

/**
 * The kernel hands user space each bpf_list_head initialised as an empty
 * list (bpf_obj_init_field: INIT_LIST_HEAD), which makes it point at itself
 * inside the kernel's own copy buffer: an address no runtime can reproduce.
 * Its bytes are checked to be that (next == prev, per head) on the kernel
 * side and zero on the runtime's, and then compared as equal.
 */
function maskHeads(o: Outcome, side: "kernel" | "runtime"): Outcome {
  const maps = { ...o.maps };
  for (const name of ["arr", "hv"]) {
    maps[name] = (maps[name] ?? []).map((v) => {
      const heads = v.slice(...HEADS_HEX);
      if (side === "runtime") expect(heads).toBe("0".repeat(64));
      else
        for (let h = 0; h < 64; h += 32) {
          expect(heads.slice(h, h + 16), "an empty list head's next and prev").toBe(
            heads.slice(h + 16, h + 32),
          );
        }
      return v.slice(0, HEADS_HEX[0]) + "<list heads>" + v.slice(HEADS_HEX[1]);
    });
  }
  return { ...o, maps };
}

describeKernel(
  "map values' special fields seen from user space, and in per-CPU maps: runtime vs kernel",
  () => {
    let plain: DiffObject;
    let percpu: DiffObject;
    beforeAll(async () => {
      plain = await diffObject("map_fields", MAP_FIELDS_C, "xdp", ["out", "arr", "hv"]);
      percpu = await diffObject(
        "map_fields_percpu",
        MAP_FIELDS_PERCPU_C,
        "xdp",
        ["out"], // per-CPU dumps: the freed kptrs show in what the program reads
        { kernelCpus: true },
      );
    });
    afterAll(() => {
      plain?.dispose();
      percpu?.dispose();
    });

    kernelTest(
      `user-space dumps zero kptrs, list heads and locks: ${USER_VIEW.length} packets agree`,
      () => agree(plain, "fields", "user view", USER_VIEW, maskHeads),
    );
    for (const [what, packets] of Object.entries(PER_CPU)) {
      kernelTest(`${what}: ${packets.length} packets agree`, () =>
        agree(percpu, "pfields", what, packets),
      );
    }
  },
  { tools: ["clang-19"] },
);
