// What freeing a map value's special fields means (the kernel's
// bpf_obj_free_fields, kernel/bpf/syscall.c), for the maps that skip and
// free them (runtime/maps/value-fields.ts): a referenced kptr slot is set to
// NULL and its object dropped (local objects through bpf_obj_drop, per-CPU
// ones through bpf_percpu_obj_drop; kernel objects are simulated and only
// the slot clears), an unreferenced kptr slot is cleared, a bpf_list_head
// or bpf_rb_root is emptied and every node's object dropped, a bpf_timer or
// bpf_wq is cancelled and forgotten (bpf_timer_init may run again). Spin
// locks, refcounts and nodes need nothing. The loader attaches this to every
// map whose value type has special fields.

import type { BtfTypeList } from "../../bpf/btf/types.js";
import type { RunEnv } from "../env.js";
import type { ValueFields } from "../maps/index.js";
import { headIn } from "./graph.js";
import { dropObject, objectAt } from "./kptr-objects.js";
import { drainList } from "./lists.js";
import { structFields, type SpecialField } from "./program-btf.js";
import { drainTree } from "./rbtree.js";
import { freeTimer } from "./timer.js";
import { freeWork } from "./workqueue.js";

/** The helpers' view of the loaded object a free runs against (outside any run too). */
export type FieldEnv = Pick<RunEnv, "maps" | "vm">;

/** Release what one special field of `value` holds. */
function freeField(env: RunEnv, value: Uint8Array, f: SpecialField): void {
  const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
  switch (f.struct) {
    case "kptr":
    case "percpu_kptr": {
      const ptr = v.getBigUint64(f.offset, true);
      v.setBigUint64(f.offset, 0n, true);
      const at = ptr === 0n ? undefined : objectAt(env, ptr);
      if (at && at.offset === 0) dropObject(env, at.obj);
      return;
    }
    case "kptr_untrusted":
    case "uptr":
      v.setBigUint64(f.offset, 0n, true);
      return;
    case "bpf_list_head":
    case "bpf_rb_root": {
      const head = headIn(value, f.offset);
      if (head?.kind === "bpf_list_head") drainList(env, head);
      else if (head) drainTree(env, head);
      return;
    }
    case "bpf_timer":
      freeTimer(env, value, f.offset);
      return;
    case "bpf_wq":
      freeWork(env, value, f.offset);
      return;
  }
}

/**
 * The ValueFields of a map whose value is BTF type `valueType`, or undefined
 * when it has no special fields.
 */
export function mapValueFields(
  env: FieldEnv,
  types: BtfTypeList,
  valueType: number,
): ValueFields | undefined {
  const fields: SpecialField[] = [];
  try {
    structFields(types, valueType, 0, fields);
  } catch {
    return undefined; // a BTF chain that loops: no fields the runtime can know
  }
  if (!fields.length) return undefined;
  fields.sort((a, b) => a.offset - b.offset);
  const run = env as RunEnv; // freeing reads only the maps and the VM's memory
  return {
    ranges: fields.map((f) => [f.offset, f.size ?? 0] as const),
    free: (value) => {
      for (const f of fields) freeField(run, value, f);
    },
  };
}
