// What BPF linked lists and rbtrees share (kernel/bpf/helpers.c "graph"
// kfuncs): a head (bpf_list_head / bpf_rb_root) lives in a map value, in
// global data or inside a local object; nodes (bpf_list_node / bpf_rb_node)
// are fields of local objects, and a node belongs to at most one head at a
// time (the kernel's node->owner). The runtime keeps the contents beside
// the head's bytes, which stay zero: the kernel never lets a program read
// them, and a user-space lookup of the value shows an initialised empty
// head (rb_root as zeros, list_head as pointers to the lookup's own copy).
//
// The verifier's static rules are checked as far as the BTF tells them:
// the node's struct and field must be the head's `__contains(type, field)`,
// and the bpf_spin_lock beside the head (same value or object) must be held.
// When the map element holding a head is deleted or overwritten, or the
// object holding it freed, its nodes' objects are dropped (bpf_obj_free_fields,
// value-fields.ts) and, as in the kernel, a node that survives (refcounted)
// keeps its stale owner: adding it to a list or tree again fails.

import type { RunEnv } from "../env.js";
import type { Region } from "../vm/memory.js";
import { VmError, type Pointer } from "../vm/types.js";
import { objectAt, onObjectFree, type LocalObject } from "./kptr-objects.js";
import { programInfo, specialFields, type SpecialField } from "./program-btf.js";
import { skipModifiers } from "../../bpf/btf/resolve.js";

/** A node: the object it is a field of and the field's offset. */
export interface GraphNode {
  obj: LocalObject;
  offset: number;
}

/** A head's contents, by kind. */
export interface Head<C> {
  kind: "bpf_list_head" | "bpf_rb_root";
  contents: C;
}

/** Heads by the buffer they sit in and their absolute byte offset in it. */
const heads = new WeakMap<ArrayBufferLike, Map<number, Head<unknown>>>();
/** The head each owned node belongs to (node->owner), by object and field offset. */
const owners = new WeakMap<LocalObject, Map<number, Head<unknown>>>();

export function ownerOf(node: GraphNode): Head<unknown> | undefined {
  return owners.get(node.obj)?.get(node.offset);
}

export function setOwner(node: GraphNode, head: Head<unknown> | undefined): void {
  let m = owners.get(node.obj);
  if (!m) owners.set(node.obj, (m = new Map()));
  if (head) m.set(node.offset, head);
  else m.delete(node.offset);
}

/** The pointer a node is at (the node field's address). */
export function nodePointer(node: GraphNode): Pointer {
  return node.obj.region.ptr + BigInt(node.offset);
}

function fieldsOf(env: RunEnv, region: Region): SpecialField[] {
  const at = objectAt(env, region.ptr);
  if (!at) return specialFields(env, region);
  // A head inside a local object: the object's struct members.
  const { types } = programInfo(env);
  const out: SpecialField[] = [];
  at.obj.type.members.forEach((m) => {
    const t = types[skipModifiers(types, m.type)];
    if (t?.kind === "struct" && t.name.startsWith("bpf_"))
      out.push({ offset: m.bitOffset / 8, struct: t.name });
  });
  return out;
}

/**
 * The head at `ptr` (created empty on first use), after the checks the
 * verifier makes statically: it is a head of this kind, and the spin lock
 * next to it is held.
 */
export function headAt<C>(
  env: RunEnv,
  ptr: Pointer,
  kind: Head<C>["kind"],
  kfunc: string,
  empty: () => C,
): { head: Head<C>; field: SpecialField | undefined } {
  // Both heads are 16 bytes (struct list_head; struct rb_root_cached).
  const { region, offset } = env.vm.mem.check(ptr, 16, true);
  const fields = fieldsOf(env, region);
  const field = fields.find((f) => f.offset === offset);
  if (fields.length && field?.struct !== kind) {
    throw new VmError(
      "helper",
      `${kfunc}: the argument is not a ${kind} (the verifier refuses it)`,
    );
  }
  const lock = fields.find((f) => f.struct === "bpf_spin_lock");
  if (
    lock &&
    new DataView(region.bytes.buffer, region.bytes.byteOffset).getUint32(lock.offset, true) === 0
  ) {
    throw new VmError(
      "helper",
      `${kfunc}: the bpf_spin_lock protecting this ${kind} is not held (the verifier refuses the call)`,
    );
  }
  const key = region.bytes.byteOffset + offset;
  let byOffset = heads.get(region.bytes.buffer);
  if (!byOffset) heads.set(region.bytes.buffer, (byOffset = new Map()));
  let head = byOffset.get(key) as Head<C> | undefined;
  if (!head) {
    head = { kind, contents: empty() };
    byOffset.set(key, head as Head<unknown>);
  }
  return { head, field };
}

/** The node at `ptr`, checked against the head's `__contains` tag. */
export function nodeAt(
  env: RunEnv,
  ptr: Pointer,
  field: SpecialField | undefined,
  kfunc: string,
): GraphNode {
  const at = objectAt(env, ptr);
  if (!at) {
    throw new VmError(
      "helper",
      `${kfunc}: 0x${BigInt.asUintN(64, ptr).toString(16)} is not a node of a live bpf_obj_new object`,
    );
  }
  const c = field?.contains;
  if (c) {
    const m = at.obj.type.members.find((x) => x.name === c.field);
    if (at.obj.type.name !== c.type || !m || m.bitOffset / 8 !== at.offset) {
      throw new VmError(
        "helper",
        `${kfunc}: the node is ${at.obj.type.name} at offset ${at.offset}, the head contains ${c.type}.${c.field} (the verifier refuses it)`,
      );
    }
  }
  return { obj: at.obj, offset: at.offset };
}

/** The head at `offset` of `bytes` (a map value), if a kfunc ever used it. */
export function headIn(bytes: Uint8Array, offset: number): Head<unknown> | undefined {
  return heads.get(bytes.buffer)?.get(bytes.byteOffset + offset);
}

/** Heads inside an object, for dropping their contents when it is freed. */
export function headsInside(obj: LocalObject): Head<unknown>[] {
  const byOffset = heads.get(obj.region.bytes.buffer);
  return byOffset ? [...byOffset.values()] : [];
}

// Freeing an object forgets its ownership records (its nodes are no longer in any head).
onObjectFree((_env, obj) => {
  owners.delete(obj);
});
