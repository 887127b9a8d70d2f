// Emit stage, part 2: the module's maps, global variables and kfunc externs
// as the ELF writer's MapSpec / GlobalSpec / KfuncSpec. Keys and values carry
// BTF (structs with their field names) so `bpftool map dump` prints them.

import type { GlobalSpec, KfuncSpec, MapSpec } from "../../bpf/elf/object-spec.js";
import type { MapDecl, ModuleData } from "../ir/module-data.js";
import { kfuncSpecs } from "../ir/lower-kfunc.js";
import { btfTypeRef, sizeOfValue } from "../types/structs.js";

/** Map types whose values the kernel wants as bare sizes (fds / ifindexes), not BTF. */
const SIZE_ONLY = new Set([
  "ProgArray",
  "PerfEventArray",
  "ArrayOfMaps",
  "HashOfMaps",
  "DevMap",
  "DevMapHash",
  "CpuMap",
  "XskMap",
]);

function mapSpec(m: MapDecl): Omit<MapSpec, "name"> {
  const spec: Omit<MapSpec, "name"> = { type: m.typeId, maxEntries: m.maxEntries };
  if (m.flags) spec.flags = m.flags;
  if (m.pinning) spec.pinning = m.pinning;
  if (m.key) {
    if (SIZE_ONLY.has(m.className)) spec.keySize = sizeOfValue(m.key);
    else spec.key = btfTypeRef(m.key);
  }
  if (m.value) {
    if (SIZE_ONLY.has(m.className)) spec.valueSize = sizeOfValue(m.value);
    else spec.value = btfTypeRef(m.value);
  }
  if (m.inner) spec.innerMap = mapSpec(m.inner);
  return spec;
}

export function dataSpecs(data: ModuleData | undefined): {
  maps: MapSpec[];
  globals: GlobalSpec[];
  kfuncs: KfuncSpec[];
} {
  if (!data) return { maps: [], globals: [], kfuncs: [] };
  const maps = [...data.maps.values()].map((m) => ({ name: m.name, ...mapSpec(m) }));
  const globals = [...data.globals.values()].map((g): GlobalSpec => {
    const spec: GlobalSpec = { name: g.name, section: g.section, type: btfTypeRef(g.type) };
    if (g.section !== ".bss") {
      const size = sizeOfValue(g.type);
      const init = new Uint8Array(size);
      let v = BigInt.asUintN(size * 8, g.init);
      for (let i = 0; i < size; i++, v >>= 8n) init[i] = Number(v & 0xffn);
      spec.init = init;
    }
    return spec;
  });
  return { maps, globals, kfuncs: kfuncSpecs(data.kfuncs) };
}
