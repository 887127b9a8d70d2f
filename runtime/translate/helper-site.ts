// Helper calls in translated code, one call site at a time. The
// interpreter's callHelper looks the helper up in the VM's table on every
// call and calls it from one place for every helper, so V8 sees a
// megamorphic call there and inlines none of them. A translated function
// instead keeps, per `call` instruction, the register helper (RegsHelper
// form) that site calls, found on its first execution: the call is then
// monomorphic and V8 may inline the helper into the program's code. The
// result and any exception go through the same functions callHelper uses
// (runtime/vm/ops.ts), so faults and r0 are the same on both tiers. Helpers
// that take BigInt arguments, and unknown ids, still go through callHelper.
// A helper that offers a per-site form (RegisterHelperFn.site: map lookups,
// runtime/loader/lookup-site.ts) gets a fresh one for each site.

import { CallSrc } from "../../bpf/isa/index.js";
import { isRegisterHelper, type RegisterHelperFn } from "../vm/types.js";
import type { Vm } from "../vm/vm.js";

const KFUNC = CallSrc.KFUNC;

/** The register helper `call imm` (src 0 helper, 2 kfunc) reaches on this VM, or null. */
export function registerHelperAt(vm: Vm, id: number, src: number): RegisterHelperFn | null {
  const fn = src === KFUNC ? vm.kfuncs.get(id) : vm.helpers.get(id);
  if (fn === undefined || !isRegisterHelper(fn)) return null;
  // A helper with a per-site form gets its own copy here, caching what this site sees.
  return fn.site !== undefined ? fn.site() : fn;
}
