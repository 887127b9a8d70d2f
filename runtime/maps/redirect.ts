// The XDP redirect maps (kernel/bpf/devmap.c, cpumap.c, net/xdp/xskmap.c):
// devmap and devmap hash (value struct bpf_devmap_val { u32 ifindex; u32
// prog fd/id }), cpumap (struct bpf_cpumap_val { u32 qsize; u32 prog fd/id })
// and xskmap (socket handles). bpf_redirect_map() returns XDP_REDIRECT and
// records the target, or on a missing entry the action in the low two bits
// of its flags; `redirect` gives both so the VM can put them in its result.

import { BPF_EXIST, BPF_NOEXIST, Errno } from "./constants.js";
import { arrayNextKey } from "./array.js";
import { HashTable, type HashElem } from "./hash-table.js";
import type { MapInit } from "./hash.js";
import { MapBase, keyU32, type MapEnv } from "./types.js";

export const XDP_ABORTED = 0;
export const XDP_REDIRECT = 4;
const ACTION_MASK = 3n;
export const BPF_F_BROADCAST = 1n << 3n;
export const BPF_F_EXCLUDE_INGRESS = 1n << 4n;

/** Where a bpf_redirect_map call sends the packet. */
export interface RedirectTarget {
  mapType: number;
  mapName: string;
  key: number;
  /** devmap: the interface; cpumap: the CPU; xskmap: the socket handle. */
  ifindex?: number;
  cpu?: number;
  socket?: number;
  broadcast?: boolean;
}

export interface RedirectResult {
  action: number;
  target?: RedirectTarget;
}

abstract class RedirectMap extends MapBase {
  protected abstract target(key: number, value: Uint8Array): RedirectTarget;
  /** Flags beyond the action bits this map accepts (devmap: broadcast). */
  protected extraFlags = 0n;

  /** __bpf_xdp_redirect_map. */
  redirect(key: number, flags: bigint): RedirectResult {
    if (flags & ~(ACTION_MASK | this.extraFlags)) return { action: XDP_ABORTED };
    if (flags & BPF_F_BROADCAST)
      return { action: XDP_REDIRECT, target: { ...this.base(key), broadcast: true } };
    const kb = new Uint8Array(4);
    new DataView(kb.buffer).setUint32(0, key >>> 0, true);
    const v = this.lookup(kb);
    if (!v) return { action: Number(flags & ACTION_MASK) };
    return { action: XDP_REDIRECT, target: this.target(key, v) };
  }

  protected base(key: number): RedirectTarget {
    return { mapType: this.type, mapName: this.name, key };
  }

  /** dev_get_by_index: does the interface exist in this environment? */
  protected ifindexExists(ifindex: number): boolean {
    return ifindex !== 0 && (!this.env.ifindexes || this.env.ifindexes.has(ifindex));
  }

  /** Reads { u32 first; u32 prog } with the kernel's default prog fd of -1. */
  protected readVal(value: Uint8Array): { first: number; prog: number } {
    const dv = new DataView(value.buffer, value.byteOffset, value.length);
    return { first: dv.getUint32(0, true), prog: this.valueSize >= 8 ? dv.getInt32(4, true) : -1 };
  }

  /** The stored value: first word, then the program id (0: none). */
  protected makeVal(first: number, prog: number): Uint8Array {
    const v = new Uint8Array(this.valueSize);
    const dv = new DataView(v.buffer);
    dv.setUint32(0, first, true);
    if (this.valueSize >= 8) dv.setUint32(4, prog > 0 ? prog : 0, true);
    return v;
  }

  update(_key: Uint8Array, _value: Uint8Array, _flags: number): number {
    return -Errno.EINVAL; // programs cannot update redirect maps
  }
}

abstract class ArrayRedirectMap extends RedirectMap {
  protected readonly slots: (Uint8Array | undefined)[];
  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.slots = new Array<Uint8Array | undefined>(def.maxEntries).fill(undefined);
  }
  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.slots[keyU32(key)];
  }
  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return arrayNextKey(key, this.maxEntries);
  }
  /** Devmap, cpumap and xskmap agree: out of range -EINVAL, an empty slot is fine. */
  delete(key: Uint8Array): number {
    const i = keyU32(key);
    if (i >= this.maxEntries) return -Errno.EINVAL;
    this.slots[i] = undefined;
    return 0;
  }
}

/** BPF_MAP_TYPE_DEVMAP. */
export class DevMap extends ArrayRedirectMap {
  protected override extraFlags = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;

  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = keyU32(key);
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (flags === BPF_NOEXIST) return -Errno.EEXIST;
    const { first: ifindex, prog } = this.readVal(value);
    if (ifindex === 0) {
      if (prog !== -1) return -Errno.EINVAL; // no program without a device
      this.slots[i] = undefined;
      return 0;
    }
    if (!this.ifindexExists(ifindex)) return -Errno.EINVAL;
    this.slots[i] = this.makeVal(ifindex, prog);
    return 0;
  }

  protected target(key: number, v: Uint8Array): RedirectTarget {
    return { ...this.base(key), ifindex: this.readVal(v).first };
  }
}

interface DevElem extends HashElem {
  value: Uint8Array;
}

/** BPF_MAP_TYPE_DEVMAP_HASH: buckets chosen by key & (n_buckets - 1); replacement in place. */
export class DevMapHash extends RedirectMap {
  protected override extraFlags = BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS;
  private readonly table: HashTable<DevElem>;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.table = new HashTable(def.maxEntries, 0, (k) => keyU32(k));
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    return this.table.find(key)?.value;
  }

  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    const old = this.table.find(key);
    if (old && flags & BPF_NOEXIST) return -Errno.EEXIST;
    const { first: ifindex, prog } = this.readVal(value);
    if (!this.ifindexExists(ifindex)) return -Errno.EINVAL;
    const e: DevElem = { ...this.table.ident(key), value: this.makeVal(ifindex, prog) };
    if (old) {
      this.table.replaceInPlace(old, e);
      return 0;
    }
    if (this.table.count >= this.maxEntries) return -Errno.E2BIG;
    this.table.addHead(e);
    return 0;
  }

  delete(key: Uint8Array): number {
    const e = this.table.find(key);
    if (!e) return -Errno.ENOENT;
    this.table.remove(e);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    return this.table.nextKey(key);
  }

  protected target(key: number, v: Uint8Array): RedirectTarget {
    return { ...this.base(key), ifindex: this.readVal(v).first };
  }
}

/** BPF_MAP_TYPE_CPUMAP: key = CPU, value = queue size (0 removes) [+ program]. */
export class CpuMap extends ArrayRedirectMap {
  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const cpu = keyU32(key);
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    if (cpu >= this.maxEntries) return -Errno.E2BIG;
    if (flags === BPF_NOEXIST) return -Errno.EEXIST;
    const { first: qsize, prog } = this.readVal(value);
    if (qsize > 16384) return -Errno.EOVERFLOW; // "sanity limit on qsize"
    if (cpu >= this.env.cpus.count) return -Errno.ENODEV;
    this.slots[cpu] = qsize === 0 ? undefined : this.makeVal(qsize, prog);
    return 0;
  }

  protected target(key: number): RedirectTarget {
    return { ...this.base(key), cpu: key };
  }
}

/** BPF_MAP_TYPE_XSKMAP: key = queue index, value = an AF_XDP socket handle. */
export class XskMap extends ArrayRedirectMap {
  override set(key: Uint8Array, value: Uint8Array, flags = 0): number {
    const i = keyU32(key);
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    if (i >= this.maxEntries) return -Errno.E2BIG;
    if (this.slots[i] && flags === BPF_NOEXIST) return -Errno.EEXIST;
    if (!this.slots[i] && flags === BPF_EXIST) return -Errno.ENOENT;
    this.slots[i] = value.slice(0, 4);
    return 0;
  }

  protected target(key: number, v: Uint8Array): RedirectTarget {
    return { ...this.base(key), socket: keyU32(v) };
  }
}
