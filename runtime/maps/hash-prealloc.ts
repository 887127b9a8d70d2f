// The preallocated element storage of hash maps without BPF_F_NO_PREALLOC
// (kernel/bpf/hashtab.c prealloc_init, alloc_extra_elems; percpu_freelist.c).
// The kernel never frees such an element: a delete pushes it on the freelist
// of the CPU that deleted it, the next insert pops it again, and a plain hash
// map's replacing update swaps the old element with that CPU's spare "extra"
// element. A value pointer a program took before stays pointing at the same
// memory, which by then may hold another key's value: which element comes
// back when decides what such a stale pointer reads and writes, so the order
// here is the kernel's:
//   - populate: nr elements split evenly over the possible CPUs, the first
//     nr % ncpus CPUs one more, each CPU's share pushed in address order (its
//     last element on top);
//   - push: on top of the current CPU's list;
//   - pop: the top of the current CPU's list, else of the next CPU's (wrapping).
// Map creation runs on `cpus.current` (CPU 0 unless a caller set another);
// with every operation on one CPU, which fresh element comes out is invisible.

import { BPF_F_NO_PREALLOC } from "./constants.js";
import type { CpuContext } from "./types.js";

export class PcpuFreelist<T> {
  /** Per CPU, a stack (top = last). */
  private readonly lists: T[][];

  /** pcpu_freelist_populate: `items` in address order. */
  constructor(
    items: readonly T[],
    private readonly cpus: CpuContext,
  ) {
    const n = cpus.count;
    const share = Math.floor(items.length / n);
    const extra = items.length % n;
    let at = 0;
    this.lists = Array.from({ length: n }, (_, cpu) => {
      const take = share + (cpu < extra ? 1 : 0);
      const list = items.slice(at, at + take);
      at += take;
      return list;
    });
  }

  /** __pcpu_freelist_push onto the current CPU's list. */
  push(item: T): void {
    this.lists[this.cpus.current]!.push(item);
  }

  /** __pcpu_freelist_pop: from the current CPU's list, then the following CPUs' (wrapping). */
  pop(): T | undefined {
    const n = this.cpus.count;
    for (let i = 0; i < n; i++) {
      const list = this.lists[(this.cpus.current + i) % n]!;
      if (list.length) return list.pop();
    }
    return undefined;
  }
}

/**
 * The elements of a preallocated hash map: max_entries, plus for a plain
 * BPF_MAP_TYPE_HASH one spare per CPU (htab_has_extra_elems) taken off the
 * freelist at creation (alloc_extra_elems pops one per possible CPU, in CPU order).
 */
export class HashElemPool<T> {
  private readonly freelist: PcpuFreelist<T>;
  private readonly extras: T[];

  constructor(
    maxEntries: number,
    private readonly cpus: CpuContext,
    make: () => T,
    /** Plain hash maps have one spare element per CPU; per-CPU and LRU hashes none. */
    spares: boolean,
  ) {
    const items = Array.from({ length: maxEntries + (spares ? cpus.count : 0) }, make);
    this.freelist = new PcpuFreelist(items, cpus);
    this.extras = spares ? Array.from({ length: cpus.count }, () => this.freelist.pop()!) : [];
  }

  /** An element for a new key, or undefined when all are in use (-E2BIG). */
  take(): T | undefined {
    return this.freelist.pop();
  }

  /** A deleted element goes back on the current CPU's freelist. */
  give(item: T): void {
    this.freelist.push(item);
  }

  /** A replacing update: the current CPU's spare holds the new value, the old element becomes the spare. */
  swapExtra(old: T): T {
    if (!this.extras.length) throw new Error("swapExtra: this map has no spare elements");
    const cpu = this.cpus.current;
    const fresh = this.extras[cpu]!;
    this.extras[cpu] = old;
    return fresh;
  }
}

/** The pool of a map created with `flags`, or undefined under BPF_F_NO_PREALLOC (new memory each time). */
export function preallocated<T>(
  def: { flags: number; maxEntries: number },
  cpus: CpuContext,
  make: () => T,
  spares: boolean,
): HashElemPool<T> | undefined {
  return def.flags & BPF_F_NO_PREALLOC
    ? undefined
    : new HashElemPool(def.maxEntries, cpus, make, spares);
}
