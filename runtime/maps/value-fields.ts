// Special fields of a map value (the kernel's btf_record: bpf_spin_lock,
// bpf_timer, bpf_wq, kptrs, bpf_list_head, bpf_rb_root...), which the maps
// treat as the kernel does: an update copies every byte except them
// (copy_map_value), and a value that goes away (deleted, replaced by an
// update, evicted from an LRU, or an array slot overwritten) has them freed
// (bpf_obj_free_fields: kptrs dropped, lists and trees emptied, timers
// cancelled). Maps know only the byte ranges; what freeing means comes from
// the loader (runtime/helpers/value-fields.ts), which reads the value's BTF.

export interface ValueFields {
  /** [offset, size] of each special field, in offset order. */
  readonly ranges: readonly (readonly [number, number])[];
  /** bpf_obj_free_fields on a value the map is done with (or whose slot an update overwrote). */
  free(value: Uint8Array): void;
}

/**
 * A value as user space reads it (BPF_MAP_LOOKUP_ELEM, dumps): a copy with
 * every special field zeroed, as the kernel's copy_map_value skips them and
 * check_and_init_map_value (bpf_obj_init) clears them in the user's buffer.
 * Kptr addresses, list heads and timers never reach user space.
 */
export function userCopy(value: Uint8Array, fields: ValueFields | undefined): Uint8Array {
  const out = value.slice();
  if (fields) zeroFields(out, fields);
  return out;
}

/** bpf_obj_init: the special fields of `value` (in place) set to zero. */
export function zeroFields(value: Uint8Array, fields: ValueFields): void {
  for (const [off, size] of fields.ranges) value.fill(0, off, Math.min(off + size, value.length));
}

/** copy_map_value: `src` into `dst`, leaving the special fields of `dst` as they are. */
export function copyValue(dst: Uint8Array, src: Uint8Array, fields: ValueFields | undefined): void {
  const n = dst.length;
  if (!fields) {
    dst.set(src.subarray(0, n));
    return;
  }
  let at = 0;
  for (const [off, size] of fields.ranges) {
    if (off > at) dst.set(src.subarray(at, Math.min(off, n)), at);
    at = Math.max(at, off + size);
  }
  if (at < n) dst.set(src.subarray(at, n), at);
}
