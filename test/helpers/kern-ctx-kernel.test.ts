// bpf_cast_to_kern_ctx and BPF streams, runtime vs kernel: the simulated
// xdp_buff / sk_buff give the same field values (and follow
// bpf_xdp_adjust_head/meta as the kernel's live struct does), and
// bpf_stream_vprintk_impl fails the same way for bad stream ids and argument
// arrays. Its success path is not compared: on the reference kernel every
// successful print returned -ENOMEM under test_run (see streams.ts); the
// runtime's output for it is checked in local-objects.test.ts.

import { afterAll, beforeAll, expect } from "vitest";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { KERN_CTX_LWT_C, KERN_CTX_XDP_C } from "./kern-ctx.c.js";
import { diffObject, type DiffObject } from "./diff.js";

function frame(body: number[], len = 64): Uint8Array {
  const f = new Uint8Array(len);
  f[12] = 0x08;
  f[14] = 0x45;
  f.set(body, 14);
  return f;
}

describeKernel(
  "bpf_cast_to_kern_ctx and streams: runtime vs kernel",
  () => {
    let xdp: DiffObject;
    let lwt: DiffObject;
    beforeAll(async () => {
      xdp = await diffObject("kern_ctx_xdp", KERN_CTX_XDP_C, "xdp", ["out"]);
      lwt = await diffObject("kern_ctx_lwt", KERN_CTX_LWT_C, "lwt_xmit", ["out"]);
    });
    afterAll(() => {
      xdp?.dispose();
      lwt?.dispose();
    });

    const run = (get: () => DiffObject, program: string, packets: Uint8Array[]) =>
      kernelTest(`${program}: ${packets.length} packets agree`, async () => {
        for (const [i, packet] of packets.entries()) {
          const k = await get().kernel(program, packet);
          const r = get().runtime(program, packet);
          expect(r, `${program} packet ${i}`).toEqual(k);
          expect(k.maps.out!.some((v) => /[^0]/.test(v))).toBe(true);
        }
      });
    run(() => xdp, "xdp_kctx", [
      frame([0, 0]),
      frame([14, 8]),
      frame([-20 & 0xff, 4]),
      frame([0, 0], 300),
    ]);
    run(() => xdp, "xdp_streams", [frame([])]);
    run(() => lwt, "lwt_kctx", [frame([]), frame([1, 2, 3], 200)]);
  },
  { tools: ["clang-19"] },
);
