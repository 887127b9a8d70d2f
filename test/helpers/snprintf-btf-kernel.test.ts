// bpf_snprintf_btf against the kernel: an XDP program prints an object (the
// packet's bytes, copied into a map value) as a vmlinux type, with the type
// id, flags and string size from the packet; return value and string are
// compared with BPF_PROG_TEST_RUN's. Type ids come from bpftool's dump of
// /sys/kernel/btf/vmlinux, not from the runtime's own BTF reader.

import { afterAll, beforeAll, expect } from "vitest";
import { run } from "../../runtime/kernel/index.js";
import { BTF_F } from "../../runtime/helpers/btf-show.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { diffObject, type DiffObject } from "./diff.js";

const OBJ = 256;

const SNPRINTF_BTF_C = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct obj { __u8 b[${OBJ}]; };
struct str { char s[1024]; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct obj); } objm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct str); } strm SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __s64); } out SEC(".maps");

SEC("xdp") int show(struct xdp_md *ctx) {
  __u8 *d = (void *)(long)ctx->data, *e = (void *)(long)ctx->data_end;
  if (d + 24 > e) return XDP_ABORTED;
  __u32 z = 0, id, flags;
  __builtin_memcpy(&id, d + 14, 4);
  __builtin_memcpy(&flags, d + 18, 4);
  __u32 size = (d[22] | (d[23] << 8)) & 1023;
  if (size == 0) size = 1;
  struct obj *o = bpf_map_lookup_elem(&objm, &z);
  struct str *s = bpf_map_lookup_elem(&strm, &z);
  if (!o || !s) return XDP_ABORTED;
  if (bpf_xdp_load_bytes(ctx, 24, o, ${OBJ})) return XDP_DROP;
  __builtin_memset(s, 0xee, 64);
  struct btf_ptr p = { .ptr = o, .type_id = id };
  __s64 r = bpf_snprintf_btf(s->s, size, &p, sizeof(p), flags);
  bpf_map_update_elem(&out, &z, &r, BPF_ANY);
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

/** Type ids by "KIND 'name'" from bpftool's raw dump of the kernel's BTF. */
async function vmlinuxIds(): Promise<Map<string, number>> {
  const { stdout } = await run("bpftool", ["btf", "dump", "file", "/sys/kernel/btf/vmlinux"], {
    timeoutMs: 120_000,
  });
  const ids = new Map<string, number>();
  for (const m of stdout.matchAll(/^\[(\d+)\] (\w+) '([^']*)'/gm)) {
    const key = `${m[2]} ${m[3]}`;
    if (!ids.has(key)) ids.set(key, Number(m[1]));
  }
  return ids;
}

/** A deterministic byte pattern with some zero runs (zeros are left out unless BTF_F_ZERO). */
function pattern(seed: number): Uint8Array {
  const b = new Uint8Array(OBJ);
  let x = seed * 2654435761;
  for (let i = 0; i < OBJ; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = (i >> 3) % 3 === 0 ? 0 : x >>> 24;
  }
  return b;
}

function packet(id: number, flags: number, size: number, obj: Uint8Array): Uint8Array {
  const f = new Uint8Array(24 + OBJ);
  const v = new DataView(f.buffer);
  f[12] = 0x08;
  v.setUint32(14, id, true);
  v.setUint32(18, flags, true);
  v.setUint16(22, size, true);
  f.set(obj, 24);
  return f;
}

const ascii = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));

describeKernel(
  "bpf_snprintf_btf: runtime vs kernel",
  () => {
    let obj: DiffObject;
    let ids: Map<string, number>;
    beforeAll(async () => {
      ids = await vmlinuxIds();
      obj = await diffObject("snprintf_btf", SNPRINTF_BTF_C, "xdp", ["out", "strm"]);
    }, 180_000);
    afterAll(() => obj?.dispose());

    const id = (key: string) => {
      const n = ids.get(key);
      if (n === undefined) throw new Error(`vmlinux BTF has no ${key}`);
      return n;
    };
    const { COMPACT, NONAME, PTR_RAW, ZERO } = BTF_F;
    const FLAG_SETS = [0, COMPACT, COMPACT | NONAME, ZERO, COMPACT | ZERO, NONAME | ZERO];

    /** The kernel's string (hex) and return value, after comparing them with the runtime's. */
    async function agree(what: string, p: Uint8Array): Promise<[string, bigint]> {
      const k = await obj.kernel("show", p);
      const r = obj.runtime("show", p);
      expect.soft(r, what).toEqual(k);
      const ret = Buffer.from(k.maps.out![0]!, "hex").readBigInt64LE(0);
      return [k.maps.strm![0]!, ret];
    }

    kernelTest(
      "structs, nested structs and unions, arrays, chars, bitfields, enums",
      async () => {
        const eth = new Uint8Array(OBJ);
        eth.set([2, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x08, 0x00]);
        const name = new Uint8Array(OBJ);
        name.set(ascii("eth0"), 0);
        name.set([1, 2, 0x7f, 0xa9, 0x41, 0, 0x42], 16);
        const types: [string, Uint8Array[]][] = [
          ["STRUCT iphdr", [pattern(1), pattern(2), new Uint8Array(OBJ)]],
          ["STRUCT tcphdr", [pattern(3)]],
          ["STRUCT ethhdr", [eth, pattern(4)]],
          ["STRUCT in6_addr", [pattern(5)]],
          ["STRUCT bpf_sock_tuple", [pattern(6)]],
          ["STRUCT sockaddr_in", [pattern(7)]],
          ["STRUCT xdp_md", [pattern(8)]],
          ["STRUCT ifmap", [pattern(9)]],
          ["UNION bpf_attr", [pattern(10)]],
          ["STRUCT bpf_fib_lookup", [pattern(11), name]],
          ["ENUM bpf_map_type", [Uint8Array.of(1, 0, 0, 0), Uint8Array.of(200, 0, 0, 0)]],
          ["TYPEDEF __be16", [Uint8Array.of(0x12, 0x34)]],
          ["INT int", [Uint8Array.of(0xfe, 0xff, 0xff, 0xff)]],
          ["INT char", [Uint8Array.of(0x41)]],
        ];
        let nonEmpty = 0;
        for (const [type, objects] of types) {
          for (const [i, o] of objects.entries()) {
            const bytes = new Uint8Array(OBJ);
            bytes.set(o.subarray(0, OBJ));
            for (const flags of FLAG_SETS) {
              const [s] = await agree(
                `${type} #${i} flags ${flags}`,
                packet(id(type), flags, 1023, bytes),
              );
              if (!s.startsWith("eeee")) nonEmpty++;
            }
          }
        }
        expect(nonEmpty).toBeGreaterThan(60);
      },
      { timeout: 600_000 },
    );

    kernelTest(
      "pointers (raw), truncation and errors",
      async () => {
        const ptrs = pattern(12);
        const cases: [string, Uint8Array][] = [
          ["list_head raw", packet(id("STRUCT list_head"), PTR_RAW, 1023, ptrs)],
          ["list_head raw compact", packet(id("STRUCT list_head"), PTR_RAW | COMPACT, 1023, ptrs)],
          ["xdp_buff raw", packet(id("STRUCT xdp_buff"), PTR_RAW | ZERO, 1023, ptrs)],
          ["callback_head raw", packet(id("STRUCT callback_head"), PTR_RAW, 1023, ptrs)],
          ["list_head NULLs", packet(id("STRUCT list_head"), 0, 1023, new Uint8Array(OBJ))],
          ["xdp_buff NULLs", packet(id("STRUCT xdp_buff"), ZERO, 1023, new Uint8Array(OBJ))],
          ["iphdr into 10 bytes", packet(id("STRUCT iphdr"), 0, 10, pattern(1))],
          ["iphdr into 1 byte", packet(id("STRUCT iphdr"), COMPACT, 1, pattern(1))],
          ["type id 0", packet(0, 0, 1023, pattern(1))],
          ["type id past the end", packet(0x7ffff0, 0, 1023, pattern(1))],
          ["type id negative", packet(0x8000_0001, 0, 1023, pattern(1))],
          ["unknown flag", packet(id("STRUCT iphdr"), 16, 1023, pattern(1))],
          ["a function", packet(id("FUNC bpf_snprintf_btf"), 0, 1023, pattern(1))],
        ];
        const results = new Map<string, [string, bigint]>();
        for (const [what, p] of cases) results.set(what, await agree(what, p));
        // The cases reach the paths they are named for.
        const text = (what: string) => Buffer.from(results.get(what)![0], "hex").toString("latin1");
        expect(text("list_head raw")).toMatch(/\.prev = \(struct list_head \*\)0x[0-9a-f]{16}/);
        expect(results.get("iphdr into 10 bytes")![1]).toBeGreaterThan(10n);
        expect(text("iphdr into 10 bytes").indexOf("\0")).toBe(9);
        expect(results.get("type id 0")![1]).toBe(-22n);
        expect(results.get("type id past the end")![1]).toBe(-2n);
        expect(results.get("unknown flag")![1]).toBe(-22n);
      },
      { timeout: 300_000 },
    );
  },
  { tools: ["clang-19"] },
);
