// bpf_user_ringbuf_drain (kernel/bpf/ringbuf.c): hand each sample user
// space produced into a BPF_MAP_TYPE_USER_RINGBUF to the callback as a
// local dynptr over the sample, (dynptr, ctx), until the ring is empty, the
// callback returns non-zero or BPF_MAX_USER_RINGBUF_SAMPLES were seen.
// Returns how many samples were handed over (discarded ones are skipped and
// not counted), -EINVAL for flags other than the wakeup bits, -EBUSY while
// another drain of the same ring runs.

import type { HelperImpl } from "../env.js";
import { MAX_USER_RINGBUF_SAMPLES, UserRingBufMap } from "../maps/index.js";
import { VmError } from "../vm/types.js";
import { DYNPTR_SIZE, DynType, writeDynptr } from "./dynptr.js";
import { E, K, family, neg } from "./support.js";

const WAKEUP_FLAGS = K("BPF_RB_NO_WAKEUP") | K("BPF_RB_FORCE_WAKEUP");

const drain: HelperImpl = (env, mapPtr, callback, ctx, flags) => {
  const map = env.maps.require(mapPtr, "bpf_user_ringbuf_drain");
  if (!(map instanceof UserRingBufMap)) {
    throw new VmError("helper", `bpf_user_ringbuf_drain: ${map.name} is not a user ring buffer`);
  }
  if (flags & ~WAKEUP_FLAGS) return neg(E.EINVAL);
  if (map.busy) return neg(E.EBUSY);
  map.busy = true;
  let samples = 0;
  let discarded = 0;
  try {
    let ret = 0n;
    for (; samples < MAX_USER_RINGBUF_SAMPLES && ret === 0n; samples++) {
      const r = map.oldest();
      if (!r) break;
      if (r.discarded) {
        map.release();
        discarded++;
        continue;
      }
      const data = env.expose("memory", r.sample.slice(), `${map.name} sample`);
      const dynptr = env.expose("memory", new Uint8Array(DYNPTR_SIZE), "user ringbuf dynptr");
      const size = r.sample.length;
      writeDynptr(env, dynptr, { data, size, type: DynType.LOCAL, rdonly: false, offset: 0 });
      ret = env.vm.callFunction(callback, [dynptr, ctx, 0n, 0n, 0n]) & 0xffffffffn;
      map.release();
    }
  } finally {
    map.busy = false;
  }
  if (flags & K("BPF_RB_FORCE_WAKEUP") || (!(flags & K("BPF_RB_NO_WAKEUP")) && samples > 0)) {
    map.wakeups++;
  }
  return BigInt(samples - discarded);
};

export const userRingbufHelpers = family({ bpf_user_ringbuf_drain: drain });
