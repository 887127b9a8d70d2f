// `extern ... __ksym` kernel variables (here the per-CPU cpu_number and
// bpf_prog_active, used through bpf_this_cpu_ptr / bpf_per_cpu_ptr): the
// reference kernel refuses the load, as it cannot find a data symbol's
// address without CONFIG_KALLSYMS_ALL; the runtime refuses the object too,
// naming the unresolved kernel variable. When the reference kernel resolves
// them, this test fails and the runtime should learn them (link.ts).

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import { loadObject } from "../../runtime/api.js";
import { KernelError, loadWithBpftool } from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

const KSYM_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
extern const int cpu_number __ksym;
extern const int bpf_prog_active __ksym;
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
SEC("xdp") int ksym_vars(struct xdp_md *ctx) {
  put(0, *(const int *)bpf_this_cpu_ptr(&cpu_number));
  const int *q = bpf_per_cpu_ptr(&cpu_number, 1);
  put(1, q ? *q : 0xdead);
  put(2, *(const int *)bpf_this_cpu_ptr(&bpf_prog_active));
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

describeKernel(
  "__ksym kernel variables: refused by the kernel and by the runtime",
  () => {
    let build: CBuildDir;
    beforeAll(() => {
      build = cBuildDir();
    });
    afterAll(() => build?.dispose());

    kernelTest("per-CPU __ksym variables do not load in either", async () => {
      const path = await build.compile("ksym_vars", KSYM_C);
      const err = await loadWithBpftool(path, { type: "xdp" }).then(
        (h) => {
          h.dispose();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(KernelError);
      expect((err as KernelError).stderr).toMatch(
        /failed to find the address for kernel symbol 'cpu_number'/,
      );
      expect(() => loadObject(readFileSync(path))).toThrow(
        /symbol 'cpu_number'\) points at an undefined symbol: a kernel variable \(extern \.\.\. __ksym\)/,
      );
    });
  },
  { tools: ["clang-19"] },
);
