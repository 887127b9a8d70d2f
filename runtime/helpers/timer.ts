// BPF timers (kernel/bpf/helpers.c): bpf_timer_init/set_callback/start/
// cancel on the 16-byte struct bpf_timer inside a map value, against the
// run's injectable clock. Nothing fires by itself: a test advances its
// clock and calls `runDueTimers(env)`, which runs every expired callback
// (map, key, value) in env.vm, earliest first, as the hrtimer softirq would.
// Timers are kept per map registry (env.maps), so they outlive one run of
// the loaded object; their identity is the map value's bytes and offset.

import type { HelperImpl, RunEnv } from "../env.js";
import type { BpfMap } from "../maps/index.js";
import type { Pointer } from "../vm/types.js";
import { E, K, family, neg } from "./support.js";
import { runPendingWork } from "./workqueue.js";

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_BOOTTIME = 7;
const MAX_CLOCKS = 16;
const TIMER_ABS = K("BPF_F_TIMER_ABS");
const TIMER_CPU_PIN = K("BPF_F_TIMER_CPU_PIN");

export interface BpfTimer {
  map: BpfMap;
  key: Uint8Array;
  value: Uint8Array;
  clock: number;
  callback: Pointer | undefined;
  /** Absolute expiry on the timer's clock, when armed. */
  expires: bigint | undefined;
}

const timers = new WeakMap<object, Map<Uint8Array, Map<number, BpfTimer>>>();
let running: BpfTimer | undefined;

function table(env: RunEnv): Map<Uint8Array, Map<number, BpfTimer>> {
  let t = timers.get(env.maps);
  if (!t) {
    t = new Map();
    timers.set(env.maps, t);
  }
  return t;
}

/** The map value a timer pointer lies in, and the timer there (if initialised). */
function locate(env: RunEnv, ptr: Pointer) {
  const at = env.vm.mem.check(ptr, 16, true);
  const value = at.region.bytes;
  const slots = table(env).get(value);
  return { value, offset: at.offset, timer: slots?.get(at.offset), slots };
}

function now(env: RunEnv, clock: number): bigint {
  const mono = env.clock.ns();
  if (clock === CLOCK_BOOTTIME) return mono + (env.clock.bootOffset ?? 0n);
  if (clock === CLOCK_REALTIME) return mono + (env.clock.taiOffset ?? 0n);
  return mono;
}

/** The key of the element whose live value is `value` (the kernel keeps it next to the value). */
export function keyOf(map: BpfMap, value: Uint8Array): Uint8Array {
  for (let k = map.nextKey(undefined), n = 0; k && n <= map.maxEntries; k = map.nextKey(k), n++) {
    const v = map.lookup(k);
    if (v && v.buffer === value.buffer && v.byteOffset === value.byteOffset) return k.slice();
  }
  return new Uint8Array(map.keySize);
}

const init: HelperImpl = (env, timerPtr, mapPtr, flags) => {
  const map = env.maps.require(mapPtr, "bpf_timer_init");
  const clock = Number(flags & BigInt(MAX_CLOCKS - 1));
  if (
    flags >= BigInt(MAX_CLOCKS) ||
    ![CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME].includes(clock)
  ) {
    return neg(E.EINVAL);
  }
  const { value, offset, timer } = locate(env, timerPtr);
  if (timer) return neg(E.EBUSY);
  const t: BpfTimer = {
    map,
    key: keyOf(map, value),
    value,
    clock,
    callback: undefined,
    expires: undefined,
  };
  const all = table(env);
  if (!all.has(value)) all.set(value, new Map());
  all.get(value)!.set(offset, t);
  return 0n;
};

const setCallback: HelperImpl = (env, timerPtr, callback) => {
  const { timer } = locate(env, timerPtr);
  if (!timer) return neg(E.EINVAL);
  timer.callback = callback;
  return 0n;
};

const start: HelperImpl = (env, timerPtr, nsecs, flags) => {
  const { timer } = locate(env, timerPtr);
  if (!timer || flags & ~(TIMER_ABS | TIMER_CPU_PIN) || timer.callback === undefined) {
    return neg(E.EINVAL);
  }
  timer.expires = flags & TIMER_ABS ? nsecs : now(env, timer.clock) + nsecs;
  return 0n;
};

const cancel: HelperImpl = (env, timerPtr) => {
  const { timer } = locate(env, timerPtr);
  if (!timer) return neg(E.EINVAL);
  if (running === timer) return neg(E.EDEADLK);
  const active = timer.expires !== undefined;
  timer.expires = undefined;
  return active ? 1n : 0n;
};

/** Armed timers of the object env runs, for tests. */
/** bpf_timer_cancel_and_free: the value holding the timer goes (deleted or overwritten). */
export function freeTimer(env: RunEnv, value: Uint8Array, offset: number): void {
  table(env).get(value)?.delete(offset);
}

export function pendingTimers(env: RunEnv): BpfTimer[] {
  const out: BpfTimer[] = [];
  for (const slots of table(env).values()) {
    for (const t of slots.values()) if (t.expires !== undefined) out.push(t);
  }
  return out;
}

/** Run started work items, then every timer whose expiry has passed on env's clock; returns how many ran. */
export function runDueTimers(env: RunEnv): number {
  // Work queue items started by bpf_wq_start run first: they are due at once.
  let fired = runPendingWork(env);
  for (;;) {
    const due = pendingTimers(env)
      .filter((t) => t.expires! <= now(env, t.clock))
      .sort((a, b) => (a.expires! < b.expires! ? -1 : 1))[0];
    if (!due || fired > 1_000_000) return fired;
    due.expires = undefined;
    running = due;
    try {
      const keyPtr = env.expose("memory", due.key.slice(), `${due.map.name} timer key`, true);
      env.vm.callFunction(due.callback!, [
        env.maps.pointerOf(due.map),
        keyPtr,
        env.maps.valuePointer(due.map, due.value),
      ]);
    } finally {
      running = undefined;
    }
    fired++;
  }
}

export const timerHelpers = family({
  bpf_timer_init: init,
  bpf_timer_set_callback: setCallback,
  bpf_timer_start: start,
  bpf_timer_cancel: cancel,
});
