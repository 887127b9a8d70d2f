// Kfuncs the verifier refuses in XDP/LWT programs for reasons other than
// sleepability (runtime/helpers/refused.ts; and bpf_throw inside a
// callback, exceptions.ts): the reference kernel refuses a
// program calling each (the test shows its words), and the runtime loads
// the same object but faults at the call with the refusal's reason, never
// running past it.

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";
import { loadObject } from "../../runtime/api.js";
import { KernelError, loadWithBpftool } from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";

const HEAD = String.raw`
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct pt_regs;
extern void __bpf_trap(void) __ksym;
extern void crash_kexec(struct pt_regs *regs) __ksym;
`;

/** __bpf_trap on a path the verifier cannot rule out (packets over 20 bytes). */
const TRAP_C = String.raw`${HEAD}
SEC("lwt_xmit") int trap(struct __sk_buff *skb) { if (skb->len > 20) __bpf_trap(); return BPF_OK; }
char _license[] SEC("license") = "GPL";
`;

const KEXEC_C = String.raw`${HEAD}
SEC("xdp") int kexec(struct xdp_md *ctx) { if (ctx->data_end - ctx->data > 20) crash_kexec(0); return XDP_PASS; }
char _license[] SEC("license") = "GPL";
`;

/** bpf_throw is refused inside callbacks (here bpf_loop's), though allowed in the program. */
const THROW_IN_CALLBACK_C = String.raw`${HEAD}
extern void bpf_throw(__u64 cookie) __ksym;
static int step(__u32 i, void *ctx) { if (i == 2) bpf_throw(77); return 0; }
SEC("xdp") int throw_in_cb(struct xdp_md *ctx) { bpf_loop(5, step, 0, 0); return XDP_PASS; }
char _license[] SEC("license") = "GPL";
`;

const CASES = [
  {
    name: "trap",
    source: TRAP_C,
    type: "lwt_xmit",
    kernelSays: /unexpected __bpf_trap\(\)/,
    runtimeSays: /kfunc __bpf_trap is refused by the verifier in lwt_xmit programs/,
  },
  {
    name: "kexec",
    source: KEXEC_C,
    type: "xdp",
    kernelSays: /'crash_kexec': not found in kernel/,
    runtimeSays: /kfunc crash_kexec is refused by the verifier in xdp programs \(destructive/,
  },
  {
    name: "throw_in_cb",
    source: THROW_IN_CALLBACK_C,
    type: "xdp",
    kernelSays: /bpf_throw kfunc \(insn \d+\) cannot be called from callback subprog/,
    runtimeSays: /bpf_throw cannot be called from a callback/,
  },
];

describeKernel(
  "kfuncs the verifier refuses: kernel refuses, runtime faults with the reason",
  () => {
    let build: CBuildDir;
    beforeAll(() => {
      build = cBuildDir();
    });
    afterAll(() => build?.dispose());

    for (const c of CASES) {
      kernelTest(`${c.name}: refused by the kernel and by the runtime`, async () => {
        const path = await build.compile(c.name, c.source);
        const err = await loadWithBpftool(path, { type: c.type }).then(
          (h) => {
            h.dispose();
            return undefined;
          },
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(KernelError);
        expect((err as KernelError).stderr).toMatch(c.kernelSays);

        const obj = loadObject(readFileSync(path));
        const r = obj.program(c.name).run({ packet: new Uint8Array(64).fill(1, 12, 14) });
        expect(r.fault?.message).toMatch(c.runtimeSays);
      });
    }
  },
  { tools: ["clang-19"] },
);
