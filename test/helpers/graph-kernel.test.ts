// Local kptr objects, linked lists, rbtrees and bpf_throw: the programs of
// graph.c.ts run in the kernel (BPF_PROG_TEST_RUN) and in the runtime on the
// same packet sequences; return values, data_out and the `out` map must
// agree after every packet. State carries across packets (objects stay in
// the lists and trees), so each sequence is one story: pushes, pops, tree
// inserts whose less() calls are counted (out[15]: the trees' shapes agree),
// a refcounted object in a list and a tree at once, throws, a per-CPU object
// swapped into a map's percpu_kptr slot (the old one dropped). percpu_dirty frees
// per-CPU memory full of junk first: the kernel's allocator reuses it unzeroed, so
// percpu_ptr zeroes its new object's copies (without that it fails here every time).

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { GRAPH_C } from "./graph.c.js";
import { diffObject, type DiffObject } from "./diff.js";

function frame(body: number[]): Uint8Array {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  f.set(body, 14);
  return f;
}

const SEQUENCES: Record<string, number[][]> = {
  lists: [
    [5, 0, 0],
    [6, 1, 0],
    [7, 0, 0],
    [8, 0, 1],
    [9, 1, 2],
    [10, 0, 1],
    [11, 0, 1],
    [12, 0, 2],
    [13, 1, 1],
    [14, 0, 1],
  ],
  value_lists: [
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 1],
    [5, 1],
    [6, 0],
    [7, 0],
  ],
  // Keys in an order that makes the kernel rotate both ways, then removals.
  tree: [
    [50, 0],
    [30, 0],
    [70, 0],
    [20, 0],
    [40, 0],
    [35, 0],
    [37, 0],
    [36, 0],
    [90, 0],
    [80, 0],
    [85, 0],
    [10, 2],
    [60, 1],
    [33, 3],
    [34, 0],
    [31, 0],
    [32, 2],
    [100, 3],
    [1, 0],
    [2, 0],
  ],
  refs: [
    [4, 0],
    [9, 0],
    [2, 1],
    [7, 1],
    [3, 1],
  ],
  throw_default: [
    [0, 5],
    [1, 0],
    [2, 0],
    [0, 200],
    [0, 101],
  ],
  throw_cb: [[0], [7], [9], [200]],
  percpu: [[0], [0], [0]],
  // Junk left in freed per-CPU memory, on the CPUs percpu_ptr runs on next.
  percpu_dirty: [[0], [0], [0], [0]],
  // [value added to this CPU's copy, cpu for bpf_per_cpu_ptr]: CPUs 0 and 1, then out of range.
  percpu_ptr: [
    [5, 0],
    [7, 1],
    [9, 2],
    [11, 255],
    [13, 0],
    [17, 1],
  ],
};

/** The CPU each packet runs on, for programs whose results depend on it (default: any). */
const PINNED: Record<string, number[]> = {
  percpu_dirty: [0, 1, 0, 1],
  percpu_ptr: [0, 1, 1, 0, 0, 1],
};

describeKernel(
  "local objects, lists, rbtrees, bpf_throw: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("graph", GRAPH_C, "xdp", ["out"], { kernelCpus: true });
    });
    afterAll(() => obj?.dispose());

    for (const [program, packets] of Object.entries(SEQUENCES)) {
      kernelTest(`${program}: ${packets.length} packets in sequence agree`, async () => {
        const slots = new Set<number>();
        for (const [i, body] of packets.entries()) {
          const packet = frame(body);
          const cpu = PINNED[program]?.[i];
          const k = await obj.kernel(program, packet, cpu);
          const r = obj.runtime(program, packet, cpu);
          expect(r, `${program} packet ${i} (${body.join(",")})`).toEqual(k);
          k.maps.out!.forEach((v, slot) => /[^0]/.test(v) && slots.add(slot));
        }
        // The comparison is only worth something if the kfuncs left results.
        expect(slots.size).toBeGreaterThan(0);
      });
    }
  },
  { tools: ["clang-19"] },
);
