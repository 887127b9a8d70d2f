// BPF rbtrees (kernel/bpf/helpers.c): bpf_rbtree_add_impl inserts a local
// object's bpf_rb_node, walking down from the root and calling the
// program's `less(node, parent)` callback at each step (in the VM, as
// bpf_loop runs its callback), then rebalancing as lib/rbtree.c does (see
// rb-tree.ts); 0, or -EINVAL and the reference dropped when the node already
// belongs to a tree or list. bpf_rbtree_first gives the leftmost node (NULL
// when empty); bpf_rbtree_remove takes a node out of this root (NULL when it
// is not in it).

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
import { RbTree, type RbNode } from "./rb-tree.js";

interface TreeContents {
  tree: RbTree<GraphNode>;
  /** Each node's place in the tree, to erase it. */
  places: Map<GraphNode["obj"], Map<number, RbNode<GraphNode>>>;
}

function root(env: RunEnv, ptr: bigint, kfunc: string) {
  return headAt<TreeContents>(env, ptr, "bpf_rb_root", kfunc, () => ({
    tree: new RbTree(),
    places: new Map(),
  }));
}

const add: HelperImpl = (env, rootPtr, nodePtr, less) => {
  const kfunc = "bpf_rbtree_add_impl";
  const { head, field } = root(env, rootPtr, kfunc);
  const node = nodeAt(env, nodePtr, field, kfunc);
  if (ownerOf(node)) {
    dropObject(env, node.obj);
    return neg(E.EINVAL);
  }
  const { tree, places } = head.contents;
  const placed = tree.insert(node, (a, b) => {
    // The verifier bounds less's return to [0, 1].
    return env.vm.callFunction(less, [nodePointer(a), nodePointer(b)]) !== 0n;
  });
  let m = places.get(node.obj);
  if (!m) places.set(node.obj, (m = new Map()));
  m.set(node.offset, placed);
  setOwner(node, head);
  return 0n;
};

const first: HelperImpl = (env, rootPtr) => {
  const { head } = root(env, rootPtr, "bpf_rbtree_first");
  const n = head.contents.tree.leftmost;
  return n ? nodePointer(n.value) : 0n;
};

function take(contents: TreeContents, node: GraphNode): void {
  const place = contents.places.get(node.obj)?.get(node.offset);
  if (!place) return;
  contents.tree.erase(place);
  contents.places.get(node.obj)!.delete(node.offset);
  setOwner(node, undefined);
}

const remove: HelperImpl = (env, rootPtr, nodePtr) => {
  const kfunc = "bpf_rbtree_remove";
  const { head, field } = root(env, rootPtr, kfunc);
  const node = nodeAt(env, nodePtr, field, kfunc);
  if (ownerOf(node) !== head) return 0n;
  take(head.contents, node);
  return nodePtr;
};

/**
 * bpf_rb_root_free: empty the tree and drop every node's object; the nodes
 * keep their owner, as in the kernel.
 */
export function drainTree(env: RunEnv, head: Head<unknown>): void {
  const contents = head.contents as TreeContents;
  const nodes = [...contents.tree.values()];
  contents.tree = new RbTree();
  contents.places = new Map();
  for (const n of nodes) dropObject(env, n.obj);
}

// An object freed with a non-empty tree in it.
onObjectFree((env, obj) => {
  for (const head of headsInside(obj)) if (head.kind === "bpf_rb_root") drainTree(env, head);
});

export const rbtreeKfuncs = {
  bpf_rbtree_add_impl: add,
  bpf_rbtree_first: first,
  bpf_rbtree_remove: remove,
};
