// BPF work queues (bpf_wq_init/set_callback_impl/start) in an lwt_xmit
// program, kernel vs runtime: the return codes of every call (before init,
// bad flags, double init, start without a callback...) and the callback's
// effect on the map value after the work ran (kernel: its worker, shortly
// after the run; runtime: runDueTimers). Two starts in one run queue the
// work once. bpf_wq_init needs a user reference on the map (-EPERM
// otherwise), so the kernel's map is pinned first.

import { readFileSync } from "node:fs";
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

const WQ_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct bpf_wq { __u64 __opaque[2]; } __attribute__((aligned(8)));
extern int bpf_wq_init(struct bpf_wq *wq, void *p__map, unsigned int flags) __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __ksym;
extern int bpf_wq_set_callback_impl(struct bpf_wq *wq, int (callback_fn)(void *map, int *key, void *value), unsigned int flags, void *aux__prog) __ksym;
struct elem { __u64 runs; __u64 key_seen; struct bpf_wq w; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, int); __type(value, struct elem); } wqs SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
static int cb(void *map, int *key, void *value) {
  struct elem *e = value;
  e->runs++;
  e->key_seen = *key + 100;
  return 0;
}
SEC("lwt_xmit") int wq(struct __sk_buff *skb) {
  int k = 1;
  struct elem *e = bpf_map_lookup_elem(&wqs, &k);
  if (!e) return BPF_DROP;
  put(0, bpf_wq_start(&e->w, 0));
  put(1, bpf_wq_set_callback_impl(&e->w, cb, 0, 0));
  put(2, bpf_wq_init(&e->w, &wqs, 1));
  put(3, bpf_wq_init(&e->w, &wqs, 0));
  put(4, bpf_wq_init(&e->w, &wqs, 0));
  put(5, bpf_wq_start(&e->w, 0));
  put(6, bpf_wq_set_callback_impl(&e->w, cb, 1, 0));
  put(7, bpf_wq_set_callback_impl(&e->w, cb, 0, 0));
  put(8, bpf_wq_start(&e->w, 1));
  put(9, bpf_wq_start(&e->w, 0));
  put(10, bpf_wq_start(&e->w, 0));
  put(11, e->runs + 1);
  return BPF_OK;
}
char _license[] SEC("license") = "GPL";
`;

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describeKernel(
  "BPF work queues: runtime vs kernel",
  () => {
    let build: CBuildDir;
    let k: BpftoolLoadHandle;
    let obj: TsbpfObject;
    const ids: Record<string, number> = {};
    beforeAll(async () => {
      build = cBuildDir();
      const path = await build.compile("wq", WQ_C);
      k = await loadWithBpftool(path, { type: "lwt_xmit" });
      for (const id of k.program.mapIds) ids[(await mapInfo(id)).name ?? ""] = id;
      await run("bpftool", ["map", "pin", "id", String(ids.wqs), `${k.pinDir}/wqs`]);
      obj = loadObject(readFileSync(path));
    });
    afterAll(() => {
      k?.dispose();
      build?.dispose();
    });

    kernelTest("return codes and callback runs agree over two runs", async () => {
      const packet = new Uint8Array(64);
      packet[12] = 0x08;
      packet[14] = 0x45;
      for (const round of [1, 2]) {
        const kr = await testRun(k, { data: packet });
        // The kernel's worker runs the callback shortly after.
        await new Promise((r) => setTimeout(r, 200));
        const kOut = (await dumpMap(ids.out!)).map((e) => hex(e.value!));
        const kElem = (await dumpMap(ids.wqs!)).map((e) => hex(e.value!.slice(0, 16)));
        const rr = obj.program("wq").run({ packet });
        expect(rr.fault).toBeUndefined();
        const ran = obj.runDueTimers();
        expect(ran, `round ${round}: one run however often it was started`).toBe(1);
        expect(obj.runDueTimers()).toBe(0);
        const rOut = obj.maps.out!.entries().map(([, v]) => hex(v));
        const rElem = obj.maps.wqs!.entries().map(([, v]) => hex(v.slice(0, 16)));
        expect({ retval: rr.retval, out: rOut, elem: rElem }, `round ${round}`).toEqual({
          retval: kr.retval,
          out: kOut,
          elem: kElem,
        });
      }
      expect(obj.maps.wqs!.get(1)!.slice(0, 16)).toEqual(
        Uint8Array.from([2, 0, 0, 0, 0, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0]),
      );
    });
  },
  { tools: ["clang-19"] },
);
