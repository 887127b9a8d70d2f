// BPF_MAP_TYPE_USER_RINGBUF and bpf_user_ringbuf_drain, kernel vs runtime:
// user space produces the same samples into both (the kernel's through
// user_ringbuf_produce.py, the way libbpf writes them; the runtime's through
// MapHandle.produce), an XDP program drains them with a callback that reads
// each sample through its dynptr, and what it saw (count, sizes, contents,
// drain's return value, bad flags) must agree, as must the produce results
// when the ring fills up. The drain stops where the callback says so and
// the next run picks up the rest.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect } from "vitest";
import { loadObject, type TsbpfObject } from "../../runtime/api.js";
import {
  dumpMap,
  loadWithBpftool,
  mapInfo,
  run,
  testRun,
  type BpftoolLoadHandle,
} from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

const PRODUCE = fileURLToPath(new URL("./user_ringbuf_produce.py", import.meta.url));
const RING = 4096;

const URB_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern __u32 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
struct { __uint(type, BPF_MAP_TYPE_USER_RINGBUF); __uint(max_entries, ${RING}); } urb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 8); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
struct seen { __u64 n, sum, sizes, stop; };
static long cb(struct bpf_dynptr *d, void *c) {
  struct seen *s = c;
  __u64 v = 0;
  long r = bpf_dynptr_read(&v, 8, d, 0, 0);
  s->n++;
  s->sum += r == 0 ? v : 1000 - r;
  s->sizes = s->sizes * 31 + bpf_dynptr_size(d);
  return s->n == s->stop;
}
SEC("xdp") int drain(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 15 > e) return XDP_ABORTED;
  struct seen s = { .stop = d[14] };
  put(0, bpf_user_ringbuf_drain(&urb, cb, &s, 0));
  put(1, s.n); put(2, s.sum); put(3, s.sizes);
  put(4, bpf_user_ringbuf_drain(&urb, cb, &s, 4));
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const sample = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (seed * 37 + i * 11) & 0xff);

describeKernel(
  "user ring buffer: runtime vs kernel",
  () => {
    let build: CBuildDir;
    let k: BpftoolLoadHandle;
    let obj: TsbpfObject;
    const ids: Record<string, number> = {};
    let pin = "";
    beforeAll(async () => {
      build = cBuildDir();
      const path = await build.compile("urb", URB_C);
      k = await loadWithBpftool(path, { type: "xdp" });
      for (const id of k.program.mapIds) ids[(await mapInfo(id)).name ?? ""] = id;
      pin = `${k.pinDir}/urb`;
      await run("bpftool", ["map", "pin", "id", String(ids.urb), pin]);
      obj = loadObject(readFileSync(path));
    });
    afterAll(() => {
      k?.dispose();
      build?.dispose();
    });

    /** Produce into both; the per-sample results must agree. */
    async function produce(samples: [Uint8Array, boolean][]) {
      const args = samples.map(([s, d]) => hex(s) + (d ? ":d" : ""));
      const r = await run("python3", [PRODUCE, pin, String(RING), ...args]);
      const kernel = r.stdout.trim().split("\n").map(Number);
      const runtime = samples.map(([s, d]) => obj.maps.urb!.produce(s, d));
      expect(runtime).toEqual(kernel);
      return kernel;
    }

    async function drainBoth(stop: number) {
      const packet = new Uint8Array(64);
      packet[12] = 0x08;
      packet[14] = stop;
      const kr = await testRun(k, { data: packet });
      const kOut = (await dumpMap(ids.out!)).map((e) => hex(e.value!));
      const rr = obj.program("drain").run({ packet });
      expect(rr.fault).toBeUndefined();
      const rOut = obj.maps.out!.entries().map(([, v]) => hex(v));
      expect({ retval: rr.retval, out: rOut }).toEqual({ retval: kr.retval, out: kOut });
      return kOut;
    }

    kernelTest(
      "samples of several sizes, a discarded one, an early stop, a full ring",
      async () => {
        await produce([
          [sample(8, 1), false],
          [sample(3, 2), false],
          [sample(16, 3), false],
          [sample(8, 4), true],
          [sample(24, 5), false],
        ]);
        let out = await drainBoth(0);
        expect(out[0]).toBe("0400000000000000"); // 5 samples, one discarded
        expect(out[4]).toBe("eaffffffffffffff"); // bad flags: -EINVAL
        await produce([
          [sample(40, 6), false],
          [sample(9, 7), false],
          [sample(1, 8), false],
        ]);
        out = await drainBoth(2);
        expect(out[0]).toBe("0200000000000000");
        out = await drainBoth(0);
        expect(out[0]).toBe("0100000000000000");
        out = await drainBoth(0);
        expect(out[0]).toBe("0000000000000000");
        const full = await produce(Array.from({ length: 6 }, (_, i) => [sample(1000, i), false]));
        expect(full).toEqual([0, 0, 0, 0, -28, -28]);
        expect(await produce([[sample(5000, 1), false]])).toEqual([-7]);
        out = await drainBoth(0);
        expect(out[0]).toBe("0400000000000000");
      },
    );
  },
  { tools: ["clang-19", "python3"] },
);
