// Cgroup storage maps without a kernel: BPF_MAP_CREATE's checks
// (bpf_local_storage_map_alloc_check) and the syscall side, whose key stands
// in for a cgroup fd with the cgroup id's low 32 bits.

import { describe, expect, it } from "vitest";
import { CgrpStorageMap } from "../../runtime/maps/cgrp-storage.js";
import { BPF_F_NO_PREALLOC, Errno, MapCreateError, createMap } from "../../runtime/maps/index.js";

const def = { type: "cgrp_storage", keySize: 4, valueSize: 8, maxEntries: 0 };

function createErrno(d: Parameters<typeof createMap>[0]): number | undefined {
  try {
    createMap(d);
    return undefined;
  } catch (e) {
    return e instanceof MapCreateError ? e.errno : -1;
  }
}

describe("BPF_MAP_TYPE_CGRP_STORAGE", () => {
  it("creation needs BPF_F_NO_PREALLOC, max_entries 0, a 4-byte key and a value", () => {
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC })).toBeUndefined();
    expect(createErrno(def)).toBe(Errno.EINVAL);
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC, maxEntries: 1 })).toBe(Errno.EINVAL);
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC, keySize: 8 })).toBe(Errno.EINVAL);
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC, valueSize: 0 })).toBe(Errno.EINVAL);
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC, valueSize: 65408 })).toBe(Errno.E2BIG);
    expect(createErrno({ ...def, flags: BPF_F_NO_PREALLOC | 2 })).toBe(Errno.EINVAL);
  });

  it("values per cgroup id; the syscall key is the id's low 32 bits; no iteration", () => {
    const m = createMap({ ...def, flags: BPF_F_NO_PREALLOC }) as CgrpStorageMap;
    const v = m.create(0x1_0000_0005n, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
    expect([...v]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(m.storageOf(0x1_0000_0005n)).toBe(v);
    const key = Uint8Array.of(5, 0, 0, 0);
    expect([...m.get(key)!]).toEqual([...v]);
    expect(m.set(key, new Uint8Array(8), 1 /* BPF_NOEXIST */)).toBe(-Errno.EEXIST);
    expect(m.set(Uint8Array.of(6, 0, 0, 0), new Uint8Array(8), 2 /* BPF_EXIST */)).toBe(
      -Errno.ENOENT,
    );
    expect([...m.entries()]).toEqual([]);
    expect(m.delete(key)).toBe(0);
    expect(m.deleteStorage(0x1_0000_0005n)).toBe(-Errno.ENOENT);
  });
});
