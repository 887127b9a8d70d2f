// Kfuncs the verifier never lets an XDP or LWT program call, for reasons
// other than sleepability (those are in kfuncs.ts): calling one faults with
// the verifier's reason, and COVERAGE.md lists it as refused. Each reason
// was checked by loading a program that calls it on the reference kernel
// (test/helpers/kfunc-refused-kernel.test.ts).

import type { HelperImpl } from "../env.js";
import { VmError } from "../vm/types.js";

/** A kfunc whose calls the verifier refuses, with the reason as COVERAGE.md shows it. */
export function verifierRefused(name: string, why: string): HelperImpl {
  return (env) => {
    throw new VmError(
      "call",
      `kfunc ${name} is refused by the verifier in ${env.progType} programs (${why})`,
    );
  };
}

export const REFUSED_REASONS: Readonly<Record<string, string>> = {
  // The verifier rejects any reachable call ("unexpected __bpf_trap() due to
  // uninitialized variable?"): clang emits it for __builtin_trap().
  __bpf_trap: "any reachable call is rejected: 'unexpected __bpf_trap()'",
  // Destructive (KF_DESTRUCTIVE, CAP_SYS_BOOT); absent from kernels without
  // kexec, as the reference one: libbpf cannot resolve the extern.
  crash_kexec: "destructive; absent from the reference kernel's BTF (no kexec)",
};

export const refusedKfuncs: Record<string, HelperImpl> = {};
for (const [name, why] of Object.entries(REFUSED_REASONS))
  refusedKfuncs[name] = verifierRefused(name, why);
