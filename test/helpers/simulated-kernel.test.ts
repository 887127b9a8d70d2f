// Simulated helpers whose error paths and rates can still be compared with
// the kernel: bpf_probe_read_kernel_str / _user_str on stack strings and on
// addresses no program memory covers (user range: -ERANGE before any read;
// unmapped kernel range: -EFAULT; the destination zeroed either way), and
// the rate bpf_jiffies64 advances at (the kernel's CONFIG_HZ, which the
// runtime's default world.hz must match).

import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { defaultWorld } from "../../runtime/helpers/support.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { diffObject, type DiffObject } from "./diff.js";

const PROBE_STR_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 24); __type(key, __u32); __type(value, __u64); } out SEC(".maps");
static __always_inline void put(__u32 k, __u64 v) { bpf_map_update_elem(&out, &k, &v, BPF_ANY); }
#define TRY(slot, call) do { __builtin_memset(buf, 0x55, 8); put(slot, (__u64)(__s64)(call)); \
  __u64 w; __builtin_memcpy(&w, buf, 8); put(slot + 1, w); } while (0)

SEC("xdp") int probe_str(struct xdp_md *ctx) {
  char src[16] = "hello";
  char lng[16] = "0123456789abcde";
  char buf[8];
  TRY(0, bpf_probe_read_kernel_str(buf, 8, src));
  TRY(2, bpf_probe_read_kernel_str(buf, 8, lng));
  TRY(4, bpf_probe_read_kernel_str(buf, 3, src));
  TRY(6, bpf_probe_read_kernel_str(buf, 8, (void *)16));
  TRY(8, bpf_probe_read_kernel_str(buf, 8, (void *)4096));
  TRY(10, bpf_probe_read_kernel_str(buf, 8, (void *)0x7fffffff0000UL));
  TRY(12, bpf_probe_read_kernel_str(buf, 8, (void *)0xffff800000000000UL));
  TRY(14, bpf_probe_read_user_str(buf, 8, src));
  TRY(16, bpf_probe_read_user_str(buf, 8, (void *)4096));
  TRY(18, bpf_probe_read_kernel(buf, 8, (void *)0x7fffffff0000UL));
  return XDP_PASS;
}

SEC("xdp") int jiffies(struct xdp_md *ctx) {
  put(0, bpf_jiffies64());
  put(1, bpf_ktime_get_ns());
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

const frame = () => {
  const f = new Uint8Array(64);
  f[12] = 0x08;
  return f;
};

describeKernel(
  "simulated helpers: probe_read_*_str and jiffies against the kernel",
  () => {
    let clockNs = 1_000_000_000n;
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("probe_str", PROBE_STR_C, "xdp", ["out"], {
        load: { clock: () => clockNs },
      });
    });
    afterAll(() => obj?.dispose());

    kernelTest(
      "bpf_probe_read_kernel_str / _user_str: return values and buffers agree",
      async () => {
        const k = await obj.kernel("probe_str", frame());
        const r = obj.runtime("probe_str", frame());
        expect(r).toEqual(k);
        // The comparison only means something if the paths differ: a copy, -ERANGE, -EFAULT.
        const ret = (i: number) =>
          BigInt.asIntN(64, BigInt("0x" + k.maps.out![i]!.match(/../g)!.reverse().join("")));
        expect([ret(0), ret(6), ret(12)]).toEqual([6n, -34n, -14n]);
      },
    );

    kernelTest("bpf_jiffies64 advances at CONFIG_HZ in both", async () => {
      const le = (hex: string) => BigInt("0x" + hex.match(/../g)!.reverse().join(""));
      const sample = async () => {
        const o = await obj.kernel("jiffies", frame());
        return [le(o.maps.out![0]!), le(o.maps.out![1]!)] as const;
      };
      const [j0, t0] = await sample();
      await new Promise((res) => setTimeout(res, 600));
      const [j1, t1] = await sample();
      const kernelHz = (Number(j1 - j0) * 1e9) / Number(t1 - t0);

      obj.runtime("jiffies", frame());
      const rj0 = obj.object.maps.out!.get(0)!;
      clockNs += t1 - t0;
      obj.runtime("jiffies", frame());
      const rj1 = obj.object.maps.out!.get(0)!;
      const jiff = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
      const runtimeHz = (Number(jiff(rj1) - jiff(rj0)) * 1e9) / Number(t1 - t0);

      // Jiffies tick every 1/HZ s: over >= 0.6 s the measured rate is within 2% of HZ.
      expect(Math.abs(kernelHz - runtimeHz) / runtimeHz).toBeLessThan(0.05);
      expect(runtimeHz).toBeCloseTo(defaultWorld().hz, -1);
    });

    // The running kernel's configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC) or /boot.
    const release = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
    const config = ["/proc/config.gz", `/boot/config-${release}`].find((f) => existsSync(f));
    if (!config) console.log("SKIPPED: CONFIG_HZ check: no /proc/config.gz nor /boot/config-*");
    it.skipIf(!config)("the default world.hz is this kernel's CONFIG_HZ", () => {
      const raw = readFileSync(config!);
      const text = (config!.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
      const hz = /^CONFIG_HZ=(\d+)$/m.exec(text)?.[1];
      expect(Number(hz)).toBe(defaultWorld().hz);
    });
  },
  { tools: ["clang-19"] },
);
