// BPF work queues (kernel/bpf/helpers.c): bpf_wq_init, bpf_wq_set_callback_impl
// and bpf_wq_start on the 16-byte struct bpf_wq inside a map value. A
// started work is pending until the runtime lets the work queue run:
// `runPendingWork(env)`, called by the API's runDueTimers/advanceClock (as
// the kernel's worker would, soon after the program returns). Starting a
// pending work again is a no-op (schedule_work on a queued work), so it
// runs once. The callback gets (map, key, value), as bpf_timer callbacks.
// Work items live with the map registry (they outlive the run), keyed by
// the map value's bytes and the offset of the bpf_wq in it, like timers.
// The kernel refuses bpf_wq_init with -EPERM on a map no user space holds;
// maps of a loaded object are always held here.

import type { HelperImpl, RunEnv } from "../env.js";
import type { BpfMap } from "../maps/index.js";
import type { Pointer } from "../vm/types.js";
import { E, neg, u32 } from "./support.js";
import { keyOf } from "./timer.js";

const BPF_WQ_SIZE = 16;

interface BpfWork {
  map: BpfMap;
  key: Uint8Array;
  value: Uint8Array;
  callback: Pointer | undefined;
  pending: boolean;
}

const tables = new WeakMap<object, Map<Uint8Array, Map<number, BpfWork>>>();

function table(env: RunEnv): Map<Uint8Array, Map<number, BpfWork>> {
  let t = tables.get(env.maps);
  if (!t) {
    t = new Map();
    tables.set(env.maps, t);
  }
  return t;
}

function locate(env: RunEnv, ptr: Pointer) {
  const at = env.vm.mem.check(ptr, BPF_WQ_SIZE, true);
  const value = at.region.bytes;
  return { value, offset: at.offset, work: table(env).get(value)?.get(at.offset) };
}

const init: HelperImpl = (env, wqPtr, mapPtr, flags) => {
  const map = env.maps.require(mapPtr, "bpf_wq_init");
  if (u32(flags) !== 0) return neg(E.EINVAL);
  const { value, offset, work } = locate(env, wqPtr);
  if (work) return neg(E.EBUSY);
  const all = table(env);
  if (!all.has(value)) all.set(value, new Map());
  all.get(value)!.set(offset, {
    map,
    key: keyOf(map, value),
    value,
    callback: undefined,
    pending: false,
  });
  return 0n;
};

const setCallback: HelperImpl = (env, wqPtr, callback, flags) => {
  if (u32(flags) !== 0) return neg(E.EINVAL);
  const { work } = locate(env, wqPtr);
  if (!work) return neg(E.EINVAL);
  work.callback = callback;
  return 0n;
};

const start: HelperImpl = (env, wqPtr, flags) => {
  if (u32(flags) !== 0) return neg(E.EINVAL);
  const { work } = locate(env, wqPtr);
  if (!work || work.callback === undefined) return neg(E.EINVAL);
  work.pending = true;
  return 0n;
};

/** Started work items of the object env runs, in no particular order. */
/** bpf_wq_cancel_and_free: the value holding the work item goes (deleted or overwritten). */
export function freeWork(env: RunEnv, value: Uint8Array, offset: number): void {
  table(env).get(value)?.delete(offset);
}

export function pendingWork(env: RunEnv): BpfWork[] {
  const out: BpfWork[] = [];
  for (const slots of table(env).values()) {
    for (const w of slots.values()) if (w.pending) out.push(w);
  }
  return out;
}

/** Run every started work item's callback (and any they start); returns how many ran. */
export function runPendingWork(env: RunEnv): number {
  let ran = 0;
  for (let w = pendingWork(env)[0]; w && ran < 1_000_000; w = pendingWork(env)[0]) {
    w.pending = false;
    const keyPtr = env.expose("memory", w.key.slice(), `${w.map.name} work key`, true);
    env.vm.callFunction(w.callback!, [
      env.maps.pointerOf(w.map),
      keyPtr,
      env.maps.valuePointer(w.map, w.value),
    ]);
    ran++;
  }
  return ran;
}

export const workqueueKfuncs: Record<string, HelperImpl> = {
  bpf_wq_init: init,
  bpf_wq_set_callback_impl: setCallback,
  bpf_wq_start: start,
};
