// Special fields of map values when the value goes (map-fields.c.ts): the kernel
// frees what a value's kptr and bpf_list_heads hold when an array slot is
// overwritten or a hash element is replaced or deleted (bpf_obj_free_fields),
// and an update never copies over those fields (copy_map_value: the junk bytes
// of the new value do not reach the lock, the heads or the kptr). A refcounted
// object that survives its list being emptied keeps its stale owner: pushing it
// again fails. Each packet is [op, key, map, value]; out[0] must agree after each.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { ARRAY, HASH, MAP_FIELDS_C, OP, fieldsFrame } from "./map-fields.c.js";
import { diffObject, type DiffObject } from "./diff.js";

const { PUSH, POP, KPTR_SET, KPTR_TAKE, UPDATE, DELETE, TAG, REF_BOTH, REF_AGAIN, REF_POP } = OP;

const SEQUENCES: Record<string, number[][]> = {
  "array slot overwritten": [
    [PUSH, 0, ARRAY, 11],
    [PUSH, 0, ARRAY, 12],
    [KPTR_SET, 0, ARRAY, 21],
    [UPDATE, 0, ARRAY, 7],
    [POP, 0, ARRAY, 0],
    [KPTR_TAKE, 0, ARRAY, 0],
    [TAG, 0, ARRAY, 0],
    [PUSH, 0, ARRAY, 13],
    [POP, 0, ARRAY, 0],
    [POP, 0, ARRAY, 0],
  ],
  "hash element deleted and replaced": [
    [PUSH, 1, HASH, 31],
    [KPTR_SET, 1, HASH, 41],
    [DELETE, 1, HASH, 0],
    [PUSH, 1, HASH, 32],
    [POP, 1, HASH, 0],
    [KPTR_TAKE, 1, HASH, 0],
    [PUSH, 1, HASH, 33],
    [KPTR_SET, 1, HASH, 42],
    [UPDATE, 1, HASH, 9],
    [POP, 1, HASH, 0],
    [KPTR_TAKE, 1, HASH, 0],
    [TAG, 1, HASH, 0],
    [DELETE, 1, HASH, 0],
    [DELETE, 1, HASH, 0],
  ],
  "a refcounted object outlives its list": [
    [REF_BOTH, 1, ARRAY, 50],
    [UPDATE, 1, ARRAY, 1],
    [REF_POP, 1, ARRAY, 0],
    [REF_AGAIN, 1, ARRAY, 0],
    [REF_POP, 1, ARRAY, 0],
    [REF_BOTH, 2, HASH, 60],
    [DELETE, 2, HASH, 0],
    [REF_AGAIN, 2, HASH, 0],
    [REF_POP, 2, HASH, 0],
  ],
};

describeKernel(
  "map values' kptrs and lists when the value goes: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("map_fields", MAP_FIELDS_C, "xdp", ["out"]);
    });
    afterAll(() => obj?.dispose());

    for (const [what, packets] of Object.entries(SEQUENCES)) {
      kernelTest(`${what}: ${packets.length} packets agree`, async () => {
        for (const [i, body] of packets.entries()) {
          const packet = fieldsFrame(body);
          const k = await obj.kernel("fields", packet);
          const r = obj.runtime("fields", packet);
          expect(r, `${what}, packet ${i} (${body.join(",")})`).toEqual(k);
        }
      });
    }
  },
  { tools: ["clang-19"] },
);
