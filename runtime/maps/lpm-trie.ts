// BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): keys are
// { u32 prefixlen (host order); u8 data[key_size - 4] }. A lookup returns the
// entry with the longest prefix not longer than the key's prefixlen whose
// bits match; update and delete address one exact prefix. The kernel keeps
// the data bytes as written (bits past the prefix included) and walks its
// trie in post-order, 0-branch first: we store entries flat and sort them in
// that order, which is all get_next_key can observe. Full trie -> -ENOSPC.

import { BPF_EXIST, BPF_NOEXIST, Errno } from "./constants.js";
import type { MapInit } from "./hash.js";
import { MapBase, type MapEnv } from "./types.js";

interface Entry {
  prefixlen: number;
  /** The key's data bytes as last written. */
  data: Uint8Array;
  value: Uint8Array;
}

function bit(data: Uint8Array, i: number): number {
  return (data[i >> 3]! >> (7 - (i & 7))) & 1;
}

/** How many leading bits of a and b agree, up to `limit`. */
function matchLen(a: Uint8Array, b: Uint8Array, limit: number): number {
  for (let i = 0; i < limit; i++) if (bit(a, i) !== bit(b, i)) return i;
  return limit;
}

/** The trie's post-order: below a prefix before the prefix, and the 0 side before the 1 side. */
function postOrder(a: Entry, b: Entry): number {
  const common = Math.min(a.prefixlen, b.prefixlen);
  const m = matchLen(a.data, b.data, common);
  if (m < common) return bit(a.data, m) - bit(b.data, m);
  return b.prefixlen - a.prefixlen;
}

export class LpmTrieMap extends MapBase {
  private entries_: Entry[] = [];
  private readonly maxPrefixlen: number;

  constructor(env: MapEnv, def: MapInit) {
    super(env, def);
    this.maxPrefixlen = (def.keySize - 4) * 8;
  }

  private parse(key: Uint8Array): { prefixlen: number; data: Uint8Array } {
    const prefixlen = new DataView(key.buffer, key.byteOffset, 4).getUint32(0, true);
    return { prefixlen, data: key.slice(4, this.keySize) };
  }

  private findExact(prefixlen: number, data: Uint8Array): number {
    return this.entries_.findIndex(
      (e) => e.prefixlen === prefixlen && matchLen(e.data, data, prefixlen) === prefixlen,
    );
  }

  lookup(key: Uint8Array): Uint8Array | undefined {
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return undefined;
    let best: Entry | undefined;
    for (const e of this.entries_) {
      if (e.prefixlen > prefixlen || (best && best.prefixlen >= e.prefixlen)) continue;
      if (matchLen(e.data, data, e.prefixlen) === e.prefixlen) best = e;
    }
    return best?.value;
  }

  update(key: Uint8Array, value: Uint8Array, flags: number): number {
    if (flags > BPF_EXIST) return -Errno.EINVAL;
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -Errno.EINVAL;
    const i = this.findExact(prefixlen, data);
    const entry = { prefixlen, data, value: value.slice(0, this.valueSize) };
    if (i >= 0) {
      if (flags === BPF_NOEXIST) return -Errno.EEXIST;
      // A fresh node replaces the old one: old value pointers keep old bytes.
      this.entries_[i] = entry;
      return 0;
    }
    if (flags === BPF_EXIST) return -Errno.ENOENT;
    if (this.entries_.length >= this.maxEntries) return -Errno.ENOSPC;
    this.entries_.push(entry);
    this.entries_.sort(postOrder);
    return 0;
  }

  delete(key: Uint8Array): number {
    const { prefixlen, data } = this.parse(key);
    if (prefixlen > this.maxPrefixlen) return -Errno.EINVAL;
    const i = this.findExact(prefixlen, data);
    if (i < 0) return -Errno.ENOENT;
    this.entries_.splice(i, 1);
    return 0;
  }

  nextKey(key: Uint8Array | undefined): Uint8Array | undefined {
    let i = 0;
    if (key) {
      const { prefixlen, data } = this.parse(key);
      if (prefixlen <= this.maxPrefixlen) i = this.findExact(prefixlen, data) + 1;
    }
    const e = this.entries_[i];
    if (!e) return undefined;
    const out = new Uint8Array(this.keySize);
    new DataView(out.buffer).setUint32(0, e.prefixlen, true);
    out.set(e.data, 4);
    return out;
  }
}
