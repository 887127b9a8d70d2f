// The kfunc families of issue #6 that work on the program's own objects and
// control flow, in one registry for families.ts: local kptr objects, linked
// lists, rbtrees, exceptions, the kernel context cast, BPF streams, and the
// kfuncs the verifier refuses in XDP/LWT programs for reasons other than
// sleepability (__bpf_trap, crash_kexec).

import type { HelperRegistry } from "../env.js";
import { exceptionKfuncs } from "./exceptions.js";
import { kernCtxKfuncs } from "./kern-ctx.js";
import { kptrObjectKfuncs } from "./kptr-objects.js";
import { listKfuncs } from "./lists.js";
import { rbtreeKfuncs } from "./rbtree.js";
import { refusedKfuncs } from "./refused.js";
import { streamKfuncs } from "./streams.js";

export const localObjectKfuncs: HelperRegistry = {
  ...kptrObjectKfuncs,
  ...listKfuncs,
  ...rbtreeKfuncs,
  ...exceptionKfuncs,
  ...kernCtxKfuncs,
  ...streamKfuncs,
  ...refusedKfuncs,
};
