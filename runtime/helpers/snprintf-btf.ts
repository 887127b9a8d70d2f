// bpf_snprintf_btf (kernel/trace/bpf_trace.c): print a typed object into a
// string with btf_show (btf-show.ts). The type id in the struct btf_ptr
// names a type of the kernel's own BTF (vmlinux, btf_obj_id 0), so the
// runtime needs that BTF: world.kernelBtf, by default
// /sys/kernel/btf/vmlinux of the machine running the runtime (parsed once
// per process and path). Without it the helper returns -EINVAL, as a kernel
// without BTF does (bpf_get_btf_vmlinux gives NULL).
//
// How a program gets an id: C programs use bpf_core_type_id_kernel(), a
// CO-RE relocation the loader resolves against the same world.kernelBtf
// (runtime/loader/core-relos.ts), as libbpf does against vmlinux BTF.
//
// SIMULATED: the object is read from program memory only and must lie whole
// in one region (else -EFAULT, nothing written; the kernel prints what it
// could copy before the fault); hashed pointers ("0x%p" without
// BTF_F_PTR_RAW) print the raw value.

import { existsSync, readFileSync } from "node:fs";
import { typeSize } from "../../bpf/btf/resolve.js";
import { parseBtf } from "../../bpf/btf/parser.js";
import type { BtfTypeList } from "../../bpf/btf/types.js";
import type { HelperImpl } from "../env.js";
import { BTF_F_ALL, btfShow } from "./btf-show.js";
import { E, dv, family, neg, readMem, u32, worldOf, writableMem } from "./support.js";

/** sizeof(struct btf_ptr): void *ptr; __u32 type_id; __u32 flags. */
const BTF_PTR_SIZE = 16;

const parsed = new Map<string, BtfTypeList | null>();

/** The kernel BTF at `path` (null when absent, unreadable or not BTF), parsed once per process. */
export function kernelBtfTypes(path: string | null): BtfTypeList | null {
  if (path === null) return null;
  let types = parsed.get(path);
  if (types === undefined) {
    try {
      types = existsSync(path) ? parseBtf(readFileSync(path)).types : null;
    } catch {
      types = null; // unreadable or not BTF: as a kernel without BTF
    }
    parsed.set(path, types);
  }
  return types;
}

const snprintfBtf: HelperImpl = (env, str, strSize, ptr, ptrSize, flags) => {
  const size = u32(strSize);
  const out = writableMem(env, str, size);
  // bpf_btf_printf_prepare: flags, btf_ptr size, vmlinux BTF, type id; in that order.
  if (flags & ~BigInt(BTF_F_ALL)) return neg(E.EINVAL);
  if (u32(ptrSize) !== BTF_PTR_SIZE) return neg(E.EINVAL);
  const types = kernelBtfTypes(worldOf(env).kernelBtf);
  if (!types) return neg(E.EINVAL);
  const p = dv(readMem(env, ptr, BTF_PTR_SIZE));
  const id = p.getUint32(8, true);
  if (id === 0) return neg(E.EINVAL);
  if (id >= 0x8000_0000 || !types[id]) return neg(E.ENOENT);
  let size0: number;
  try {
    size0 = typeSize(types, id);
  } catch {
    size0 = 0; // kinds without a size (func, fwd) print "<unsupported kind>" from no data
  }
  const at = env.vm.mem.regionOf(p.getBigUint64(0, true));
  if (!at || at.offset + size0 > at.region.bytes.length) return neg(E.EFAULT);
  const text = btfShow(types, id, at.region.bytes.subarray(at.offset), Number(flags));
  // btf_snprintf_show: each piece vsnprintf'd into what is left; the total length is returned.
  if (text.length > 0 && size > 0) {
    const n = Math.min(text.length, size - 1);
    for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i) & 0xff;
    out[n] = 0;
  }
  return BigInt(text.length);
};

export const snprintfBtfHelpers = family({ bpf_snprintf_btf: snprintfBtf });
