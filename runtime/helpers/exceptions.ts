// BPF exceptions (bpf_throw, kernel/bpf/helpers.c + the verifier's
// exception callback): bpf_throw(cookie) unwinds every frame of the
// program (the verifier refuses it inside callbacks), and the program's result becomes what its
// exception callback returns for the cookie. The callback is the global
// function named by the entry program's `exception_callback:<name>` BTF
// decl tag; without one the verifier adds a default that returns the cookie
// itself (test_run then reports its low 32 bits).
//
// The kfunc throws a VmError subclass (the VM turns it into a fault, as it
// does for bpf_tail_call) and records the cookie; the run loop
// (runtime/loader/run.ts) sees the record with `takeThrown`, runs the
// callback on fresh frames and uses its r0.

import type { HelperImpl, RunEnv } from "../env.js";
import { VmError } from "../vm/types.js";
import { programInfo } from "./program-btf.js";

const thrown = new WeakMap<RunEnv, bigint>();

class ThrowSignal extends VmError {}

const bpfThrow: HelperImpl = (env, cookie) => {
  // check_kfunc_call: "bpf_throw kfunc ... cannot be called from callback subprog".
  if (env.vm.callbackDepth > 0) {
    throw new VmError(
      "helper",
      "bpf_throw cannot be called from a callback (bpf_loop, rbtree less, timer...): the verifier refuses it",
    );
  }
  thrown.set(env, cookie);
  throw new ThrowSignal("helper", `bpf_throw(${cookie}) unwound the program`);
};

/** The cookie of the bpf_throw that ended the last VM run of `env`, once. */
export function takeThrown(env: RunEnv): bigint | undefined {
  const c = thrown.get(env);
  thrown.delete(env);
  return c;
}

/** The exception callback's slot for the entry at `entry`, if the program names one. */
export function exceptionCallbackOf(env: RunEnv, entry: number): number | undefined {
  return programInfo(env).exceptionCallbacks.get(entry);
}

export const exceptionKfuncs = {
  bpf_throw: bpfThrow,
};
