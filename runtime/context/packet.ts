// The packet buffer of one run (env.ts `Packet`): one byte array with
// headroom, metadata, data and tailroom, and the VM region the program's
// packet pointers point into. Every change of geometry registers a new
// region (a new address) and drops the old one, so pointers taken before a
// packet-changing helper fault, as the verifier makes programs re-check.
// A packet kept from run to run (runtime/context/reuse.ts) reuses its Region
// objects and byte windows, so neither a run nor a change of geometry in a
// steady stream of packets allocates.

import type { Packet } from "../env.js";
import { REGION_HI, type Memory, type Region } from "../vm/memory.js";
import type { Pointer } from "../vm/types.js";

export interface PacketLayout {
  buf: Uint8Array;
  meta: number;
  data: number;
  end: number;
  reserved: number;
  writable: boolean;
}

/** A window of the packet buffer a region shows, with the DataView the VM reads it through. */
interface Window {
  bytes: Uint8Array;
  view: DataView;
}

/** Windows kept per packet buffer (geometries seen); past this the cache starts again. */
const MAX_WINDOWS = 64;

export class PacketBuffer implements Packet {
  buf: Uint8Array;
  /** The buffer the packet was made with (ensureRoom may replace `buf`); reuse() goes back to it. */
  readonly home: Uint8Array;
  meta: number;
  data: number;
  end: number;
  readonly reserved: number;
  readonly writable: boolean;
  region: Region;
  /** Called after every change of geometry (the context caches the packet pointers). */
  onChange: (() => void) | undefined;
  /** Region objects this packet has had, by slot: registering at a slot again reuses its object. */
  private readonly spares: (Region | undefined)[] = [];
  /** Windows of `windowsOf` by meta * 2^20 + end. */
  private windows = new Map<number, Window>();
  private windowsOf: Uint8Array | undefined;

  constructor(
    private readonly mem: Memory,
    layout: PacketLayout,
  ) {
    this.buf = layout.buf;
    this.home = layout.buf;
    this.meta = layout.meta;
    this.data = layout.data;
    this.end = layout.end;
    this.reserved = layout.reserved;
    this.writable = layout.writable;
    this.region = this.register();
  }

  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.end);
  }

  metadata(): Uint8Array {
    return this.buf.subarray(this.meta, this.data);
  }

  pointer(pos: number): Pointer {
    return this.region.ptr + BigInt(pos - this.meta);
  }

  /** pointer(pos)'s low half: the offset in the region. */
  offsetOf(pos: number): number {
    return pos - this.meta;
  }

  /** Every packet pointer's high half: the region's slot above REGION_HI. */
  addressHigh(): number {
    return REGION_HI + this.region.slot;
  }

  position(ptr: Pointer): number | undefined {
    const at = this.mem.regionOf(ptr);
    if (at === undefined || at.region !== this.region) return undefined;
    return this.meta + at.offset;
  }

  headroom(): number {
    return this.meta;
  }

  tailroom(): number {
    return this.buf.length - this.reserved - this.end;
  }

  setBounds(b: { meta?: number; data?: number; end?: number }): boolean {
    return this.setGeometry(b.meta ?? this.meta, b.data ?? this.data, b.end ?? this.end);
  }

  /** setBounds with every bound given, for the per-packet helpers (no object per call). */
  setGeometry(meta: number, data: number, end: number): boolean {
    const ok = 0 <= meta && meta <= data && data <= end && end <= this.buf.length - this.reserved;
    if (!ok || !Number.isInteger(meta + data + end)) return false;
    this.meta = meta;
    this.data = data;
    this.end = end;
    this.reregister();
    return true;
  }

  ensureRoom(head: number, tail: number): void {
    const shift = Math.max(0, head - this.meta);
    const grow = Math.max(0, tail - this.tailroom());
    if (shift === 0 && grow === 0) return;
    const buf = new Uint8Array(this.buf.length + shift + grow);
    buf.set(this.buf.subarray(0, this.buf.length - this.reserved), shift);
    this.buf = buf;
    this.meta += shift;
    this.data += shift;
    this.end += shift;
    this.reregister();
  }

  /** Drop the region at the end of a run. */
  release(): void {
    this.mem.removeRegion(this.region);
  }

  /**
   * Start a new run on the `home` buffer, which the caller refilled: the
   * geometry is given again, the region (dropped by release()) registered
   * again.
   */
  reuse(meta: number, data: number, end: number): void {
    this.buf = this.home;
    this.meta = meta;
    this.data = data;
    this.end = end;
    this.region = this.register();
  }

  private register(): Region {
    const { meta, end } = this;
    const slot = this.mem.freeSlot();
    const spare = this.spares[slot];
    const w = this.window(meta, end);
    if (spare !== undefined && this.mem.reinstate(spare, w.bytes, w.view)) return spare;
    const region = this.mem.addRegion("packet", w.bytes, {
      name: "packet",
      readOnly: !this.writable,
    });
    this.spares[region.slot] = region;
    return region;
  }

  /** The bytes [meta, end) of the buffer and their DataView, made once per geometry. */
  private window(meta: number, end: number): Window {
    if (this.windowsOf !== this.buf || this.windows.size >= MAX_WINDOWS) {
      this.windows = new Map();
      this.windowsOf = this.buf;
    }
    const key = meta * 0x100000 + end;
    let w = this.windows.get(key);
    if (w === undefined) {
      const bytes = this.buf.subarray(meta, end);
      w = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
      this.windows.set(key, w);
    }
    return w;
  }

  private reregister(): void {
    // Register first so the new region takes another slot: old pointers go stale.
    const old = this.region;
    this.region = this.register();
    this.mem.removeRegion(old);
    this.onChange?.();
  }
}
