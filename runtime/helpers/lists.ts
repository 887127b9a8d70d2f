// BPF linked lists (kernel/bpf/helpers.c): bpf_list_push_front_impl and
// bpf_list_push_back_impl add a local object's bpf_list_node to a
// bpf_list_head (0, or -EINVAL when the node already belongs to a head, in
// which case the kernel drops the reference it was given), and
// bpf_list_pop_front / bpf_list_pop_back take the first or last node off
// (NULL when empty). The `meta` and `off` arguments, which the verifier
// fills in, are not needed: the node pointer names its object and field.

import type { HelperImpl, RunEnv } from "../env.js";
import { E, neg } from "./support.js";
import {
  headAt,
  headsInside,
  nodeAt,
  nodePointer,
  ownerOf,
  setOwner,
  type GraphNode,
  type Head,
} from "./graph.js";
import { dropObject, onObjectFree } from "./kptr-objects.js";

type ListContents = GraphNode[];

function list(env: RunEnv, ptr: bigint, kfunc: string) {
  return headAt<ListContents>(env, ptr, "bpf_list_head", kfunc, () => []);
}

function push(front: boolean): HelperImpl {
  const kfunc = front ? "bpf_list_push_front_impl" : "bpf_list_push_back_impl";
  return (env, headPtr, nodePtr) => {
    const { head, field } = list(env, headPtr, kfunc);
    const node = nodeAt(env, nodePtr, field, kfunc);
    if (ownerOf(node)) {
      // __bpf_list_add: the node is in a list or tree already; the reference passed is dropped.
      dropObject(env, node.obj);
      return neg(E.EINVAL);
    }
    setOwner(node, head);
    if (front) head.contents.unshift(node);
    else head.contents.push(node);
    return 0n;
  };
}

function pop(front: boolean): HelperImpl {
  const kfunc = front ? "bpf_list_pop_front" : "bpf_list_pop_back";
  return (env, headPtr) => {
    const { head } = list(env, headPtr, kfunc);
    const node = front ? head.contents.shift() : head.contents.pop();
    if (!node) return 0n;
    setOwner(node, undefined);
    return nodePointer(node);
  };
}

/**
 * bpf_list_head_free: empty the list and drop every node's object. The nodes
 * keep their owner (the kernel does not clear node->owner), so a refcounted
 * object that survives cannot be pushed again.
 */
export function drainList(env: RunEnv, head: Head<unknown>): void {
  for (const n of (head.contents as ListContents).splice(0)) dropObject(env, n.obj);
}

// An object freed with a non-empty list in it.
onObjectFree((env, obj) => {
  for (const head of headsInside(obj)) if (head.kind === "bpf_list_head") drainList(env, head);
});

export const listKfuncs = {
  bpf_list_push_front_impl: push(true),
  bpf_list_push_back_impl: push(false),
  bpf_list_pop_front: pop(true),
  bpf_list_pop_back: pop(false),
};
