// The VM's memory: a table of regions, each a byte array with a kind, a
// name and permissions, and the encoding of pointers into them.
//
// A pointer is a 64-bit value whose high half names the region and whose
// low half is the offset inside it:
//
//   63                32 31                 0
//   +-------------------+-------------------+
//   | REGION_HI + slot  |  offset in region |
//   +-------------------+-------------------+
//
// so pointer arithmetic is ordinary 64-bit arithmetic, `data < data_end`
// compares work inside a region, NULL (0) is never a region, and a pointer
// that strays below 0 or past 4 GiB lands in a neighbouring high half whose
// offset is out of that region's bounds: every stray access faults.
// Slots 0..MAX_CALL_FRAMES-1 are the stack frames; code pointers (from
// `lddw rX, func`) use CODE_HI with the slot index as the low half.

import { MAX_CALL_FRAMES, STACK_SIZE, VmError, type Pointer } from "./types.js";

export const REGION_HI = 0x1000;
export const CODE_HI = 0x0fff;

export type RegionKind =
  | "context"
  | "packet"
  | "packet_meta"
  | "stack"
  | "map_value"
  | "ringbuf"
  | "global"
  | "rodata"
  | "memory";

/**
 * Hooks for regions whose loads/stores are not plain bytes (a context the
 * kernel rewrites). A load hook's value goes to the register as a full 64-bit
 * value (a 4-byte ctx load of `data` gives a pointer); hooks may throw VmError.
 */
export interface RegionAccess {
  load?(offset: number, size: 1 | 2 | 4 | 8): bigint | undefined;
  store?(offset: number, size: 1 | 2 | 4 | 8, value: bigint): boolean;
  /**
   * Answers for aligned 4-byte loads that skip the load hook (a context's
   * fields are read on every packet; the hook's checks and BigInts cost more
   * than the rest of a short program). Three int32s per 4-byte word: a kind
   * (WORD_HOOK: ask the hook; WORD_VALUE: the 64-bit value in the next two,
   * low half first; WORD_BYTES: the region's own bytes, zero-extended), then
   * the value. The owner keeps it true: the same answer the hook would give.
   */
  words?: Int32Array;
}

/** RegionAccess.words kinds. */
export const WORD_HOOK = 0;
export const WORD_VALUE = 1;
export const WORD_BYTES = 2;

export interface RegionOptions {
  name?: string;
  readOnly?: boolean;
  /** Intercept accesses (when a hook returns undefined/false the bytes are used). */
  access?: RegionAccess;
}

export interface Region {
  readonly slot: number;
  readonly kind: RegionKind;
  readonly name: string;
  readonly readOnly: boolean;
  /** The region's address (offset 0). */
  readonly ptr: Pointer;
  bytes: Uint8Array;
  access?: RegionAccess;
}

export function regionPtr(slot: number, offset = 0): Pointer {
  return (BigInt(REGION_HI + slot) << 32n) | BigInt(offset >>> 0);
}

export function codePtr(slot: number): Pointer {
  return (BigInt(CODE_HI) << 32n) | BigInt(slot >>> 0);
}

export class Memory {
  /**
   * Per slot, what the interpreter's fast path reads: a DataView over the
   * bytes and the length it may load from / store to without further
   * checks. Absent regions have 0 for both, read-only ones 0 for stores,
   * hooked ones 0 for both, so every exception falls into the slow path
   * (memSlow), which sorts out hooks and faults.
   */
  views: DataView[] = [];
  rlens = new Int32Array(16);
  wlens = new Int32Array(16);
  /** Per slot, the region's RegionAccess.words (hooked regions only). */
  words: (Int32Array | undefined)[] = [];
  readonly regions: (Region | undefined)[] = [];

  /** The zeroed stack of call frame `depth` (created on first use: most runs use one or two). */
  freshFrame(depth: number): Region {
    const region = this.regions[depth];
    if (region === undefined) {
      return this.install(depth, "stack", new Uint8Array(STACK_SIZE), {
        name: `stack frame ${depth}`,
      });
    }
    region.bytes.fill(0);
    return region;
  }

  /** Register a region and return it (its `ptr` is the address to hand the program). */
  addRegion(kind: RegionKind, bytes: Uint8Array, options: RegionOptions = {}): Region {
    return this.install(this.freeSlot(), kind, bytes, options);
  }

  /** The slot addRegion would give a region now. */
  freeSlot(): number {
    let slot = MAX_CALL_FRAMES;
    while (this.regions[slot] !== undefined) slot++;
    return slot;
  }

  /**
   * Register a region that removeRegion dropped again, at its own slot (so
   * at its old address), with `bytes` seen through `view`: for the packet
   * and context that runtime/context keeps from run to run, which would
   * otherwise make a Region, a BigInt address and a DataView per run. False
   * (nothing done) when another region holds that slot now.
   */
  reinstate(region: Region, bytes: Uint8Array, view: DataView): boolean {
    const slot = region.slot;
    if (slot < MAX_CALL_FRAMES || slot >= this.rlens.length) return false;
    if (this.regions[slot] !== undefined) return false;
    region.bytes = bytes;
    this.regions[slot] = region;
    this.words[slot] = region.access?.words;
    this.views[slot] = view;
    const len = region.access ? 0 : bytes.byteLength;
    this.rlens[slot] = len;
    this.wlens[slot] = region.readOnly ? 0 : len;
    return true;
  }

  removeRegion(region: Region): void {
    if (region.slot < MAX_CALL_FRAMES || this.regions[region.slot] !== region) return;
    this.regions[region.slot] = undefined;
    this.rlens[region.slot] = 0;
    this.wlens[region.slot] = 0;
    this.words[region.slot] = undefined;
  }

  /** Swap a region's bytes (e.g. after bpf_xdp_adjust_head); its address stays. */
  setBytes(region: Region, bytes: Uint8Array): void {
    region.bytes = bytes;
    this.views[region.slot] = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const len = region.access ? 0 : bytes.byteLength;
    this.rlens[region.slot] = len;
    this.wlens[region.slot] = region.readOnly ? 0 : len;
  }

  /** The first region of a kind (the packet for LD_ABS/LD_IND). */
  find(kind: RegionKind): Region | undefined {
    return this.regions.find((r) => r !== undefined && r.kind === kind);
  }

  /** The region a pointer points into and the offset, or undefined. */
  regionOf(ptr: Pointer): { region: Region; offset: number } | undefined {
    const p = BigInt.asUintN(64, ptr);
    const slot = Number(p >> 32n) - REGION_HI;
    const region = slot >= 0 ? this.regions[slot] : undefined;
    if (region === undefined) return undefined;
    return { region, offset: Number(p & 0xffffffffn) };
  }

  /** A view (not a copy) of `len` bytes at `ptr`; throws VmError when out of bounds. */
  read(ptr: Pointer, len: number): Uint8Array {
    const { region, offset } = this.check(ptr, len, false);
    return region.bytes.subarray(offset, offset + len);
  }

  write(ptr: Pointer, bytes: Uint8Array): void {
    const { region, offset } = this.check(ptr, bytes.length, true);
    region.bytes.set(bytes, offset);
  }

  /** Bounds and permission check for an access of `len` bytes. */
  check(ptr: Pointer, len: number, write: boolean): { region: Region; offset: number } {
    const at = this.regionOf(ptr);
    const hex = `0x${BigInt.asUintN(64, ptr).toString(16)}`;
    if (at === undefined) throw new VmError("memory", `access to unmapped address ${hex}`);
    const { region, offset } = at;
    if (len < 0 || offset + len > region.bytes.length) {
      throw new VmError(
        "memory",
        `${write ? "write" : "read"} of ${len} bytes at offset ${offset} of ${region.name} (size ${region.bytes.length})`,
        region,
      );
    }
    if (write && region.readOnly) {
      throw new VmError("memory", `write to read-only ${region.name}`, region);
    }
    return at;
  }

  private install(
    slot: number,
    kind: RegionKind,
    bytes: Uint8Array,
    options: RegionOptions,
  ): Region {
    if (slot >= this.rlens.length) {
      const rlens = new Int32Array(slot * 2);
      rlens.set(this.rlens);
      this.rlens = rlens;
      const wlens = new Int32Array(slot * 2);
      wlens.set(this.wlens);
      this.wlens = wlens;
    }
    const region: Region = {
      slot,
      kind,
      name: options.name ?? kind,
      readOnly: options.readOnly ?? kind === "rodata",
      ptr: regionPtr(slot),
      bytes,
    };
    if (options.access) region.access = options.access;
    this.regions[slot] = region;
    this.words[slot] = options.access?.words;
    this.setBytes(region, bytes);
    return region;
  }
}
