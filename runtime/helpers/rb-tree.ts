// A red-black tree shaped exactly as the kernel's lib/rbtree.c shapes one:
// the same insertion walk (the caller's `less` decides left, ties go right),
// the same recolouring and rotations on insert (__rb_insert) and erase
// (__rb_erase_augmented + ____rb_erase_color, which splices in the in-order
// successor). The shape matters because bpf_rbtree_add runs the program's
// `less` callback once per node on the walk: a program that counts or logs
// in it sees the same calls as in the kernel only if the trees agree.

export interface RbNode<T> {
  value: T;
  left: RbNode<T> | undefined;
  right: RbNode<T> | undefined;
  parent: RbNode<T> | undefined;
  red: boolean;
}

export class RbTree<T> {
  root: RbNode<T> | undefined;
  /** rb_root_cached's leftmost node. */
  leftmost: RbNode<T> | undefined;
  size = 0;

  /** rb_add_cached-style insertion: `less(new, existing)` picks the left subtree. */
  insert(value: T, less: (a: T, b: T) => boolean): RbNode<T> {
    let parent: RbNode<T> | undefined;
    let link = this.root;
    let goLeft = false;
    let leftmost = true;
    while (link) {
      parent = link;
      if (less(value, link.value)) {
        goLeft = true;
        link = link.left;
      } else {
        goLeft = false;
        leftmost = false;
        link = link.right;
      }
    }
    const node: RbNode<T> = { value, left: undefined, right: undefined, parent, red: true };
    if (!parent) this.root = node;
    else if (goLeft) parent.left = node;
    else parent.right = node;
    if (leftmost) this.leftmost = node;
    this.insertColor(node);
    this.size++;
    return node;
  }

  private rotateLeft(x: RbNode<T>): void {
    const y = x.right!;
    x.right = y.left;
    if (y.left) y.left.parent = x;
    this.replaceChild(x, y);
    y.left = x;
    x.parent = y;
  }

  private rotateRight(x: RbNode<T>): void {
    const y = x.left!;
    x.left = y.right;
    if (y.right) y.right.parent = x;
    this.replaceChild(x, y);
    y.right = x;
    x.parent = y;
  }

  /** Put `to` where `from` hangs (its parent's child, or the root). */
  private replaceChild(from: RbNode<T>, to: RbNode<T> | undefined): void {
    const p = from.parent;
    if (to) to.parent = p;
    if (!p) this.root = to;
    else if (p.left === from) p.left = to;
    else p.right = to;
  }

  /** __rb_insert. */
  private insertColor(node: RbNode<T>): void {
    for (;;) {
      const parent = node.parent;
      if (!parent) {
        node.red = false;
        return;
      }
      if (!parent.red) return;
      const gparent = parent.parent!;
      if (parent === gparent.left) {
        const uncle = gparent.right;
        if (uncle?.red) {
          uncle.red = false;
          parent.red = false;
          gparent.red = true;
          node = gparent;
          continue;
        }
        let p = parent;
        if (node === parent.right) {
          this.rotateLeft(parent);
          p = node;
        }
        this.rotateRight(gparent);
        p.red = false;
        gparent.red = true;
        return;
      }
      const uncle = gparent.left;
      if (uncle?.red) {
        uncle.red = false;
        parent.red = false;
        gparent.red = true;
        node = gparent;
        continue;
      }
      let p = parent;
      if (node === parent.left) {
        this.rotateRight(parent);
        p = node;
      }
      this.rotateLeft(gparent);
      p.red = false;
      gparent.red = true;
      return;
    }
  }

  /** rb_erase_cached. */
  erase(node: RbNode<T>): void {
    if (this.leftmost === node) this.leftmost = next(node);
    let rebalance: RbNode<T> | undefined;
    const { left, right } = node;
    if (!left) {
      this.replaceChild(node, right);
      // A lone child is red and takes the node's colour; no child and a black node: fix up.
      if (right) right.red = node.red;
      else if (!node.red) rebalance = node.parent;
    } else if (!right) {
      this.replaceChild(node, left);
      left.red = node.red;
    } else {
      let successor = right;
      let parent: RbNode<T>;
      let child2: RbNode<T> | undefined;
      if (!successor.left) {
        parent = successor;
        child2 = successor.right;
      } else {
        while (successor.left) successor = successor.left;
        parent = successor.parent!;
        child2 = successor.right;
        parent.left = child2;
        if (child2) child2.parent = parent;
        successor.right = right;
        right.parent = successor;
      }
      successor.left = left;
      left.parent = successor;
      this.replaceChild(node, successor);
      if (child2) child2.red = false;
      else if (!successor.red) rebalance = parent;
      successor.red = node.red;
    }
    node.parent = node.left = node.right = undefined;
    this.size--;
    if (rebalance) this.eraseColor(rebalance);
  }

  /** ____rb_erase_color: `parent` lost a black node on the side where `node` (maybe none) hangs. */
  private eraseColor(parent: RbNode<T>): void {
    let node: RbNode<T> | undefined;
    for (;;) {
      if (node !== parent.right) {
        let sibling = parent.right!;
        if (sibling.red) {
          this.rotateLeft(parent);
          sibling.red = false;
          parent.red = true;
          sibling = parent.right!;
        }
        if (!sibling.right?.red) {
          if (!sibling.left?.red) {
            sibling.red = true;
            if (parent.red) parent.red = false;
            else {
              node = parent;
              const up = node.parent;
              if (up) {
                parent = up;
                continue;
              }
            }
            return;
          }
          this.rotateRight(sibling);
          sibling = parent.right!;
          sibling.right!.red = false;
        }
        this.rotateLeft(parent);
        sibling.red = parent.red;
        parent.red = false;
        sibling.right!.red = false;
        return;
      }
      let sibling = parent.left!;
      if (sibling.red) {
        this.rotateRight(parent);
        sibling.red = false;
        parent.red = true;
        sibling = parent.left!;
      }
      if (!sibling.left?.red) {
        if (!sibling.right?.red) {
          sibling.red = true;
          if (parent.red) parent.red = false;
          else {
            node = parent;
            const up = node.parent;
            if (up) {
              parent = up;
              continue;
            }
          }
          return;
        }
        this.rotateLeft(sibling);
        sibling = parent.left!;
        sibling.left!.red = false;
      }
      this.rotateRight(parent);
      sibling.red = parent.red;
      parent.red = false;
      sibling.left!.red = false;
      return;
    }
  }

  /** In-order values. */
  values(): T[] {
    const out: T[] = [];
    for (let n = this.leftmost; n; n = next(n)) out.push(n.value);
    return out;
  }
}

/** rb_next: the in-order successor. */
export function next<T>(node: RbNode<T>): RbNode<T> | undefined {
  if (node.right) {
    let n = node.right;
    while (n.left) n = n.left;
    return n;
  }
  let n = node;
  while (n.parent && n === n.parent.right) n = n.parent;
  return n.parent;
}
