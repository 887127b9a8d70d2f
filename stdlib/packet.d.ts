// Packet access shared by every context interface (the generated ones in
// generated/types/contexts.d.ts extend these): bounds-checked header views, a cursor, and
// the friendly methods that compile to one helper call each (see README.md).

/** Reads headers one after another from the start of the packet. */
export interface Cursor {
  /** The next T at the cursor, advancing past it; null when the packet is too short. */
  next<T>(): T | null;
  /** Skips n bytes (e.g. IPv4 options); false when the packet is too short. */
  skip(n: u32): boolean;
  /** Bytes consumed so far. */
  readonly offset: u32;
}

export interface PacketContext {
  /**
   * A live view of a T at byte `offset` of the packet, or null when the packet is shorter
   * than offset + sizeof(T). The compiler emits the data/data_end check the verifier needs;
   * writes through the view write the packet.
   */
  header<T>(offset: u32): T | null;
  /** A cursor at the start of the packet. */
  cursor(): Cursor;
}

/** Friendly forms on XDP contexts. */
export interface XdpMethods {
  /** bpf_xdp_adjust_head: grow (negative delta) or shrink the packet at its head. */
  adjustHead(delta: i32): i64;
  /** bpf_xdp_adjust_tail: grow or shrink the packet at its tail. */
  adjustTail(delta: i32): i64;
  /** bpf_xdp_adjust_meta: grow (negative delta) or shrink the metadata area. */
  adjustMeta(delta: i32): i64;
  /**
   * A live view of a T in the metadata area in front of the packet (xdp_md->data_meta),
   * or null when that area is shorter than sizeof(T): the compiler emits the
   * data_meta + sizeof(T) <= data check the verifier needs. The view starts at data_meta,
   * so call `ctx.adjustMeta(-sizeof(T))` first (checking it returned 0): the area is then
   * exactly the sizeof(T) bytes just before data. Writes through the view write the
   * metadata, which a tc program on the same device (or an AF_XDP socket) reads.
   * Like header views, the view is stale after adjustMeta/adjustHead (take a new one).
   */
  meta<T>(): T | null;
}

/** Friendly forms on __sk_buff contexts. */
export interface SkbMethods {
  /** bpf_skb_change_head: push `len` bytes of headroom at the head (lwt_xmit, tc). */
  changeHead(len: u32, flags: u64): i64;
  /** bpf_skb_pull_data: make the first `len` bytes linear (direct access). */
  pullData(len: u32): i64;
  /**
   * tc programs: a live view of a T in the metadata area in front of the packet
   * (__sk_buff->data_meta), or null when that area is shorter than sizeof(T) (the
   * compiler emits the data_meta + sizeof(T) <= data check). On tc ingress the area holds
   * what an XDP program on the same device wrote with adjustMeta and ctx.meta<T>(), so use
   * the same interface on both sides; without XDP metadata it is empty and this is null.
   * Other skb programs (LWT, cgroup_skb) may not read data_meta: refused with TSB3014.
   * The view is stale after a helper that moves packet data (changeHead, pullData...).
   */
  meta<T>(): T | null;
}
