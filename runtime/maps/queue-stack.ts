// BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK (kernel/bpf/queue_stack_maps.c):
// keyless maps of max_entries values. push with BPF_EXIST on a full map
// drops the oldest value (for both kinds); without it a full map gives
// -E2BIG. pop/peek on an empty map give -ENOENT. User-space lookup is peek,
// update is push, and there is no key to iterate.

import { BPF_ANY, BPF_EXIST, BPF_NOEXIST, Errno, MapType } from "./constants.js";
import type { MapInit } from "./hash.js";
import { MapBase, type MapEnv } from "./types.js";

export class QueueStackMap extends MapBase {
  /** Oldest first. */
  private readonly items: Uint8Array[] = [];
  private readonly lifo: boolean;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.lifo = def.type === MapType.STACK;
  }

  get size(): number {
    return this.items.length;
  }

  override push(value: Uint8Array, flags: number): number {
    if (flags & BPF_NOEXIST || flags > BPF_EXIST) return -Errno.EINVAL;
    if (this.items.length >= this.maxEntries) {
      if (!(flags & BPF_EXIST)) return -Errno.E2BIG;
      this.items.shift();
    }
    this.items.push(value.slice(0, this.valueSize));
    return 0;
  }

  override pop(out: Uint8Array): number {
    const v = this.lifo ? this.items.pop() : this.items.shift();
    if (!v) return -Errno.ENOENT;
    out.set(v);
    return 0;
  }

  override peek(out: Uint8Array): number {
    const v = this.lifo ? this.items[this.items.length - 1] : this.items[0];
    if (!v) return -Errno.ENOENT;
    out.set(v);
    return 0;
  }

  lookup(_key: Uint8Array): Uint8Array | undefined {
    return undefined;
  }
  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL;
  }
  delete(_key: Uint8Array): number {
    return -Errno.EINVAL;
  }
  nextKey(_key: Uint8Array | undefined): Uint8Array | undefined {
    return undefined;
  }

  /** BPF_MAP_LOOKUP_ELEM with no key: peek. */
  override get(_key?: Uint8Array): Uint8Array | undefined {
    const out = new Uint8Array(this.valueSize);
    return this.peek(out) === 0 ? out : undefined;
  }
  /** BPF_MAP_UPDATE_ELEM with no key: push. */
  override set(_key: Uint8Array, value: Uint8Array, flags = BPF_ANY): number {
    return this.push(value, flags);
  }
  /** BPF_MAP_LOOKUP_AND_DELETE_ELEM: pop. */
  take(): Uint8Array | undefined {
    const out = new Uint8Array(this.valueSize);
    return this.pop(out) === 0 ? out : undefined;
  }
  /** The values oldest first, without removing them. */
  values(): Uint8Array[] {
    return this.items.map((v) => v.slice());
  }
}
