// The kernel's LRU bookkeeping for LRU hash maps (kernel/bpf/bpf_lru_list.c),
// modelled list for list so that which element an insert evicts is the
// kernel's answer for a single-threaded run: preallocated nodes live on a
// global free/active/inactive list plus per-CPU local free and pending lists.
// Each CPU grabs `targetFree` nodes at a time; when none are free the
// inactive list is shrunk from its tail (oldest first) skipping nodes whose
// reference bit a program lookup set, then other CPUs' local lists are
// robbed. With BPF_F_NO_COMMON_LRU each CPU has its own list instead.
//
// What is approximate: the kernel runs CPUs concurrently and can fail with
// -EBUSY on lock recursion; here operations happen one at a time on
// `cpus.current`. Differential tests pin bpftool to one CPU to compare.

const enum T {
  ACTIVE,
  INACTIVE,
  FREE,
  LOCAL_FREE,
  LOCAL_PENDING,
}

/** A preallocated element slot; `owner` is what the hash table links (set while in the table). */
export interface LruNode<P> {
  prev: LruNode<P>;
  next: LruNode<P>;
  type: T;
  ref: boolean;
  cpu: number;
  readonly payload: P;
  inTable: boolean;
}

/** A circular list with a sentinel, like struct list_head. */
class List<P> {
  readonly head: LruNode<P>;
  constructor() {
    const h = { ref: false, cpu: -1, inTable: false } as unknown as LruNode<P>;
    h.prev = h;
    h.next = h;
    this.head = h;
  }
  get empty(): boolean {
    return this.head.next === this.head;
  }
  first(): LruNode<P> | undefined {
    return this.empty ? undefined : this.head.next;
  }
  /** Walks from the tail (oldest) to the head; safe against moving the current node. */
  *reverse(): IterableIterator<LruNode<P>> {
    for (let n = this.head.prev; n !== this.head;) {
      const prev = n.prev;
      yield n;
      n = prev;
    }
  }
  static unlink<P>(n: LruNode<P>): void {
    n.prev.next = n.next;
    n.next.prev = n.prev;
  }
  /** list_move: to the head. */
  add(n: LruNode<P>): void {
    n.next = this.head.next;
    n.prev = this.head;
    this.head.next.prev = n;
    this.head.next = n;
  }
}

class LruList<P> {
  readonly lists = [new List<P>(), new List<P>(), new List<P>()];
  readonly counts = [0, 0];
  nextInactiveRotation: LruNode<P>;
  constructor() {
    this.nextInactiveRotation = this.lists[T.INACTIVE]!.head;
  }
}

class LocalList<P> {
  readonly free = new List<P>();
  readonly pending = new List<P>();
  constructor(public nextSteal: number) {}
}

const LOCAL_FREE_TARGET = 128;
const PERCPU_FREE_TARGET = 4;

export class Lru<P> {
  private readonly global = new LruList<P>();
  private readonly perCpu: LruList<P>[];
  private readonly local: LocalList<P>[];
  private readonly targetFree: number;
  private readonly nrScans: number;

  /**
   * @param payloads one per preallocated element (max_entries of them)
   * @param evict unlinks a node's element from the hash table; false if it was not there
   */
  constructor(
    payloads: P[],
    private readonly nCpus: number,
    readonly percpu: boolean,
    private readonly evict: (n: LruNode<P>) => boolean,
  ) {
    this.local = Array.from({ length: nCpus }, (_, c) => new LocalList<P>(c));
    this.perCpu = percpu ? Array.from({ length: nCpus }, () => new LruList<P>()) : [];
    this.nrScans = percpu ? PERCPU_FREE_TARGET : LOCAL_FREE_TARGET;
    const per = Math.floor(payloads.length / nCpus);
    payloads.forEach((payload, i) => {
      const cpu = percpu ? Math.min(Math.floor(i / per), nCpus - 1) : 0;
      const n = { ref: false, cpu, payload, inTable: false, type: T.FREE } as LruNode<P>;
      (percpu ? this.perCpu[cpu]! : this.global).lists[T.FREE]!.add(n);
    });
    this.targetFree = Math.min(Math.max(Math.floor(per / 2), 1), LOCAL_FREE_TARGET);
  }

  /** bpf_lru_node_set_ref: a program looked the element up (or an update replaced it). */
  setRef(n: LruNode<P>): void {
    n.ref = true;
  }

  /** bpf_lru_pop_free: a node for a new element on `cpu`, evicting if needed; undefined -> -ENOMEM. */
  popFree(cpu: number): LruNode<P> | undefined {
    return this.percpu ? this.percpuPopFree(cpu) : this.commonPopFree(cpu);
  }

  /** bpf_lru_push_free: the element was deleted or its update failed. */
  pushFree(n: LruNode<P>): void {
    n.inTable = false;
    if (this.percpu) {
      this.move(this.perCpu[n.cpu]!, n, T.FREE);
    } else if (n.type === T.LOCAL_PENDING) {
      List.unlink(n);
      n.type = T.LOCAL_FREE;
      n.ref = false;
      this.local[n.cpu]!.free.add(n);
    } else {
      this.move(this.global, n, T.FREE);
    }
  }

  private percpuPopFree(cpu: number): LruNode<P> | undefined {
    const l = this.perCpu[cpu]!;
    this.rotate(l);
    let n = l.lists[T.FREE]!.first();
    if (!n) {
      this.shrink(l, PERCPU_FREE_TARGET, l.lists[T.FREE]!, T.FREE);
      n = l.lists[T.FREE]!.first();
    }
    if (n) {
      n.ref = false;
      this.move(l, n, T.INACTIVE);
    }
    return n;
  }

  private commonPopFree(cpu: number): LruNode<P> | undefined {
    const loc = this.local[cpu]!;
    let n = this.popLocalFree(loc);
    if (!n) {
      this.popFreeToLocal(loc);
      n = this.popLocalFree(loc);
    }
    if (!n) {
      // Steal from the local lists of every CPU, round robin from next_steal.
      const first = loc.nextSteal;
      let steal = first;
      do {
        const victim = this.local[steal]!;
        n = this.popLocalFree(victim) ?? this.popPending(victim);
        steal = (steal + 1) % this.nCpus;
      } while (!n && steal !== first);
      loc.nextSteal = steal;
    }
    if (n) {
      n.cpu = cpu;
      n.type = T.LOCAL_PENDING;
      n.ref = false;
      loc.pending.add(n);
    }
    return n;
  }

  private popLocalFree(loc: LocalList<P>): LruNode<P> | undefined {
    const n = loc.free.first();
    if (n) List.unlink(n);
    return n;
  }

  private popPending(loc: LocalList<P>): LruNode<P> | undefined {
    for (const force of [false, true]) {
      for (const n of loc.pending.reverse()) {
        if ((!n.ref || force) && this.evictNode(n)) {
          List.unlink(n);
          return n;
        }
      }
    }
    return undefined;
  }

  private popFreeToLocal(loc: LocalList<P>): void {
    const l = this.global;
    // Flush this CPU's pending nodes (oldest first) into the global lists.
    for (const n of loc.pending.reverse()) this.moveIn(l, n, n.ref ? T.ACTIVE : T.INACTIVE);
    this.rotate(l);
    let nfree = 0;
    for (let n = l.lists[T.FREE]!.first(); n && nfree < this.targetFree;) {
      const next = n.next === l.lists[T.FREE]!.head ? undefined : n.next;
      this.moveToFree(l, n, loc.free, T.LOCAL_FREE);
      nfree++;
      n = next;
    }
    if (nfree < this.targetFree) this.shrink(l, this.targetFree - nfree, loc.free, T.LOCAL_FREE);
  }

  private rotate(l: LruList<P>): void {
    if (l.counts[T.INACTIVE]! < l.counts[T.ACTIVE]!) this.rotateActive(l);
    this.rotateInactive(l);
  }

  // From the tail of the active list: referenced nodes get another round at
  // its head, the others go to the inactive list.
  private rotateActive(l: LruList<P>): void {
    const active = l.lists[T.ACTIVE]!;
    const firstNode = active.head.next;
    let i = 0;
    for (const n of active.reverse()) {
      this.move(l, n, n.ref ? T.ACTIVE : T.INACTIVE);
      if (++i === this.nrScans || n === firstNode) break;
    }
  }

  // From next_inactive_rotation toward the head: referenced nodes go active.
  private rotateInactive(l: LruList<P>): void {
    const inactive = l.lists[T.INACTIVE]!;
    if (inactive.empty) return;
    let last = l.nextInactiveRotation.next;
    if (last === inactive.head) last = last.next;
    let cur = l.nextInactiveRotation;
    let next = cur;
    let i = 0;
    while (i < this.nrScans) {
      if (cur === inactive.head) {
        cur = cur.prev;
        continue;
      }
      next = cur.prev;
      if (cur.ref) this.move(l, cur, T.ACTIVE);
      if (cur === last) break;
      cur = next;
      i++;
    }
    l.nextInactiveRotation = next;
  }

  private shrink(l: LruList<P>, target: number, free: List<P>, freeType: T): number {
    const inactive = l.lists[T.INACTIVE]!;
    let shrunk = 0;
    let i = 0;
    for (const n of inactive.reverse()) {
      if (n.ref) {
        this.move(l, n, T.ACTIVE);
      } else if (this.evictNode(n)) {
        this.moveToFree(l, n, free, freeType);
        if (++shrunk === target) break;
      }
      if (++i === this.nrScans) break;
    }
    if (shrunk) return shrunk;
    // Nothing unreferenced: take the oldest regardless of its reference bit.
    const force = inactive.empty ? l.lists[T.ACTIVE]! : inactive;
    for (const n of force.reverse()) {
      if (this.evictNode(n)) {
        this.moveToFree(l, n, free, freeType);
        return 1;
      }
    }
    return 0;
  }

  private evictNode(n: LruNode<P>): boolean {
    if (!n.inTable || !this.evict(n)) return false;
    n.inTable = false;
    return true;
  }

  private moveToFree(l: LruList<P>, n: LruNode<P>, free: List<P>, type: T): void {
    if (n === l.nextInactiveRotation) l.nextInactiveRotation = n.prev;
    if (n.type === T.ACTIVE || n.type === T.INACTIVE) l.counts[n.type]!--;
    n.type = type;
    List.unlink(n);
    free.add(n);
  }

  private moveIn(l: LruList<P>, n: LruNode<P>, type: T.ACTIVE | T.INACTIVE): void {
    l.counts[type]!++;
    n.type = type;
    n.ref = false;
    List.unlink(n);
    l.lists[type]!.add(n);
  }

  private move(l: LruList<P>, n: LruNode<P>, type: T.ACTIVE | T.INACTIVE | T.FREE): void {
    if (n.type !== type) {
      if (n.type === T.ACTIVE || n.type === T.INACTIVE) l.counts[n.type]!--;
      if (type !== T.FREE) l.counts[type]!++;
      n.type = type;
    }
    n.ref = false;
    if (n === l.nextInactiveRotation) l.nextInactiveRotation = n.prev;
    List.unlink(n);
    l.lists[type]!.add(n);
  }
}
