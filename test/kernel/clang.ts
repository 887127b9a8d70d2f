// Builds tiny C programs into BPF objects for the kernel tests, with the
// flags KERNEL.md prescribes (clang-19, -O2 -g -target bpf -mcpu=v4).
// Reproduce by hand: clang-19 -O2 -g -target bpf -mcpu=v4
//   -I/usr/include/x86_64-linux-gnu -c x.c -o x.o

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../runtime/kernel/index.js";

export interface CBuildDir {
  dir: string;
  /** Compiles `source` as `<name>.c` and returns the path of `<name>.o`. */
  compile(name: string, source: string, extraFlags?: readonly string[]): Promise<string>;
  dispose(): void;
}

export function cBuildDir(): CBuildDir {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-ktest-"));
  return {
    dir,
    compile: async (name, source, extraFlags = []) => {
      const c = join(dir, `${name}.c`);
      const o = join(dir, `${name}.o`);
      writeFileSync(c, source);
      const flags = ["-O2", "-g", "-target", "bpf", "-mcpu=v4", ...extraFlags];
      await run("clang-19", [...flags, "-I/usr/include/x86_64-linux-gnu", "-c", c, "-o", o]);
      return o;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The C programs the kernel harness tests load. */
export const XDP_COUNT_C = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} counts SEC(".maps");

/* Counts every packet in slot 0 and dropped ones in slot 1;
   drops when the first byte is 0xff. */
SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
  unsigned char *data = (void *)(long)ctx->data;
  unsigned char *end = (void *)(long)ctx->data_end;
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&counts, &k);
  if (v) __sync_fetch_and_add(v, 1);
  if (data + 1 > end) return XDP_ABORTED;
  if (data[0] != 0xff) return XDP_PASS;
  k = 1;
  v = bpf_map_lookup_elem(&counts, &k);
  if (v) __sync_fetch_and_add(v, 1);
  return XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
`;

export const LWT_XMIT_C = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 8);
  __type(key, __u32);
  __type(value, __u32);
} verdicts SEC(".maps");

/* Drops packets to 192.0.2.66; a verdict stored for the daddr wins. */
SEC("lwt_xmit")
int lwt_filter(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  if (data + 20 > end) return BPF_OK;
  __u32 daddr = *(__u32 *)(data + 16);
  __u32 *verdict = bpf_map_lookup_elem(&verdicts, &daddr);
  if (verdict) return *verdict;
  if (daddr == __builtin_bswap32(0xc0000242)) return BPF_DROP;
  skb->mark = 7;
  return BPF_OK;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** An XDP program for the veth end-to-end test: counts every frame in \`seen\`, returns \`verdict\`. */
export function xdpVerdictC(verdict: "XDP_PASS" | "XDP_DROP"): string {
  return `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
int xdp_verdict(struct xdp_md *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&seen, &k);
  if (v) __sync_fetch_and_add(v, 1);
  return ${verdict};
}
char LICENSE[] SEC("license") = "GPL";
`;
}

/**
 * BTF the kernel refuses (a FUNC_PROTO with an unnamed parameter, legal in
 * C23: compile with -std=gnu2x), so libbpf logs "BTF is optional, ignoring"
 * and loads the program anyway. The harness must flag it.
 */
export const UNNAMED_PARAM_C = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int unnamed_param(struct xdp_md *) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
`;
