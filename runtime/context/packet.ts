// The packet buffer of one run (env.ts `Packet`): one byte array with
// headroom, metadata, data and tailroom, and the VM region the program's
// packet pointers point into. Every change of geometry registers a new
// region (a new address) and drops the old one, so pointers taken before a
// packet-changing helper fault, as the verifier makes programs re-check.

import type { Packet } from "../env.js";
import type { Memory, Region } from "../vm/memory.js";
import type { Pointer } from "../vm/types.js";

export interface PacketLayout {
  buf: Uint8Array;
  meta: number;
  data: number;
  end: number;
  reserved: number;
  writable: boolean;
}

export class PacketBuffer implements Packet {
  buf: Uint8Array;
  meta: number;
  data: number;
  end: number;
  readonly reserved: number;
  readonly writable: boolean;
  region: Region;
  /** Called after every change of geometry (the context caches the packet pointers). */
  onChange: (() => void) | undefined;

  constructor(
    private readonly mem: Memory,
    layout: PacketLayout,
  ) {
    this.buf = layout.buf;
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
    const meta = b.meta ?? this.meta;
    const data = b.data ?? this.data;
    const end = b.end ?? this.end;
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

  private register(): Region {
    return this.mem.addRegion("packet", this.buf.subarray(this.meta, this.end), {
      name: "packet",
      readOnly: !this.writable,
    });
  }

  private reregister(): void {
    // Register first so the new region takes another slot: old pointers go stale.
    const old = this.region;
    this.region = this.register();
    this.mem.removeRegion(old);
    this.onChange?.();
  }
}
