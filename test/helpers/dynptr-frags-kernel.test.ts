// Dynptrs over multi-buffer XDP packets: bpf_dynptr_from_xdp covers the
// linear part and every frag (BPF_PROG_TEST_RUN splits packets longer than
// 3520 bytes into page-sized frags). Reads, writes, slices with and without
// a buffer, copies (memmove, slice-through-read/write, 256-byte chunks that
// smear when they overlap) and memsets at offsets in one piece, across
// pieces and past 0xffff: the runtime and the kernel must agree on every
// return value, the `out` map and data_out (linear part then frags).

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { DYNPTR_FRAGS_C } from "./dynptr-frags.c.js";
import { diffObject, type DiffObject } from "./diff.js";

interface Params {
  read: number;
  write: number;
  slice: number;
  copyDst: number;
  copySrc: number;
  copyLen: number;
  setOff: number;
  setLen: number;
}

/** A `len`-byte frame with a byte pattern and the program's parameters from byte 14. */
function packet(len: number, p: Params): Uint8Array {
  const f = new Uint8Array(len);
  for (let i = 0; i < len; i++) f[i] = (i * 13 + (i >> 8)) & 0xff;
  f[12] = 0x08;
  f[13] = 0;
  const v = new DataView(f.buffer);
  const order = [p.read, p.write, p.slice, p.copyDst, p.copySrc, p.copyLen, p.setOff, p.setLen];
  order.forEach((x, i) => v.setUint32(14 + 4 * i, x));
  return f;
}

// Linear part: 3520 bytes; frag i covers [3520 + 4096 i, 3520 + 4096 (i + 1)).
const CASES: [string, Uint8Array][] = [
  [
    "4000 bytes: across the linear part and the frag",
    packet(4000, {
      read: 3510,
      write: 3515,
      slice: 3600,
      copyDst: 3000,
      copySrc: 3400,
      copyLen: 300,
      setOff: 3500,
      setLen: 40,
    }),
  ],
  [
    "9000 bytes: across two frags, chunked copy",
    packet(9000, {
      read: 7600,
      write: 100,
      slice: 7610,
      copyDst: 8000,
      copySrc: 10,
      copyLen: 600,
      setOff: 7000,
      setLen: 1000,
    }),
  ],
  [
    "9000 bytes: overlapping copy across a frag boundary smears",
    packet(9000, {
      read: 3520,
      write: 7616,
      slice: 3520,
      copyDst: 7010,
      copySrc: 7000,
      copyLen: 1000,
      setOff: 8990,
      setLen: 10,
    }),
  ],
  [
    "9000 bytes: overlapping copy inside one frag (memmove)",
    packet(9000, {
      read: 8976,
      write: 8977,
      slice: 8984,
      copyDst: 4010,
      copySrc: 4000,
      copyLen: 2000,
      setOff: 8999,
      setLen: 2,
    }),
  ],
  [
    "70000 bytes: past 0xffff",
    packet(70000, {
      read: 0xfff8,
      write: 0x10001,
      slice: 0x10010,
      copyDst: 65000,
      copySrc: 60000,
      copyLen: 2000,
      setOff: 65530,
      setLen: 10,
    }),
  ],
  [
    "73152 bytes: all 17 frags full",
    packet(73152, {
      read: 73128,
      write: 69050,
      slice: 69048,
      copyDst: 100,
      copySrc: 69000,
      copyLen: 700,
      setOff: 0x10000,
      setLen: 300,
    }),
  ],
  [
    "3520 bytes: linear only, ranges past the end",
    packet(3520, {
      read: 3500,
      write: 3497,
      slice: 3504,
      copyDst: 3400,
      copySrc: 3000,
      copyLen: 200,
      setOff: 3510,
      setLen: 11,
    }),
  ],
  [
    "5000 bytes: copy from a frag into the linear part",
    packet(5000, {
      read: 0,
      write: 4976,
      slice: 4984,
      copyDst: 50,
      copySrc: 4000,
      copyLen: 256,
      setOff: 46,
      setLen: 4954,
    }),
  ],
];

describeKernel(
  "XDP dynptrs over frags: runtime vs kernel",
  () => {
    let obj: DiffObject;
    beforeAll(async () => {
      obj = await diffObject("dynptr_frags", DYNPTR_FRAGS_C, "xdp", ["out"]);
    });
    afterAll(() => obj?.dispose());

    kernelTest(`dynptr_frags: ${CASES.length} packets agree`, async () => {
      for (const [what, p] of CASES) {
        const k = await obj.kernel("dynptr_frags", p);
        const r = obj.runtime("dynptr_frags", p);
        expect.soft(r.retval, what).toBe(k.retval);
        expect.soft(r.maps, what).toEqual(k.maps);
        expect.soft(r.packet === k.packet, `${what}: data_out`).toBe(true);
      }
    });

    kernelTest("the size covers the frags and slices reach into them", async () => {
      const [, p] = CASES[1]!;
      const k = await obj.kernel("dynptr_frags", p);
      const u64 = (i: number) => Buffer.from(k.maps.out![i]!, "hex").readBigUInt64LE();
      expect(u64(1)).toBe(9000n); // bpf_dynptr_size: linear part and frags
      expect(u64(2)).toBe(0n); // a read across two frags
      expect(u64(6)).toBe(1n); // a slice across two frags: the buffer
      expect(obj.runtime("dynptr_frags", p)).toEqual(k);
    });
  },
  { tools: ["clang-19"] },
);
