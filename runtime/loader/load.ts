// Loading an object: read it (bpf/elf), find its entry programs and their
// program types from the section names (stdlib SECTIONS, as libbpf matches
// them), create its maps, link every program into one code image and build
// the VM with the helper and kfunc tables bridged to the per-run
// environment. Anything the runtime cannot load is a LoadError naming it.

import { readFileSync } from "node:fs";
import { ElfError, readObject, type BpfObject } from "../../bpf/elf/index.js";
import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import { SECTIONS, type SectionInfo } from "../../stdlib/generated/data/sections.js";
import type { HelperRegistry, ProgType, RunEnv } from "../env.js";
import { createEnv, type MapEnv } from "../maps/index.js";
import { createVm, type Vm } from "../vm/vm.js";
import { VmError, type AnyHelperFn, type VmHandle, type VmTier } from "../vm/types.js";
import { attachProgramInfo, exceptionCallbackNames } from "../helpers/program-btf.js";
import { kernelBtfTypes } from "../helpers/snprintf-btf.js";
import { mapValueFields } from "../helpers/value-fields.js";
import { CORE_POISON, applyCoreRelocations } from "./core-relos.js";
import { LoadError } from "./errors.js";
import { linkObject } from "./link.js";
import { SITE_HELPERS } from "./lookup-site.js";
import { ObjectMaps } from "./maps.js";

export interface LoadedProgram {
  name: string;
  section: string;
  progType: ProgType;
  /** The stdlib context interface ("XdpContext"...); undefined for socket filters. */
  contextName: string | undefined;
  /** The enum of return values (stdlib CONSTANTS group), e.g. "XdpAction". */
  returns: string | undefined;
  /** Slot where it starts in the object's code image. */
  entry: number;
  /** The handle a program array stores for it (what a prog fd is to the kernel). */
  handle: number;
}

export interface LoadOptions {
  cpus?: number;
  /** Interfaces that exist (devmap values are checked against them). */
  ifindexes?: readonly number[];
  helpers: HelperRegistry;
  kfuncs: HelperRegistry;
  /** Which engine runs the code (createVm's tier); default createVm's default. */
  tier?: VmTier;
  /**
   * The kernel BTF CO-RE relocations resolve against (world.kernelBtf); default
   * /sys/kernel/btf/vmlinux, null: none (relocations that need it fail to load).
   */
  kernelBtf?: string | null;
}

export interface LoadedObject {
  object: BpfObject;
  programs: LoadedProgram[];
  maps: ObjectMaps;
  mapEnv: MapEnv;
  vm: Vm;
  /** The environment of the run in progress, which the helper bridge hands to helpers. */
  current: { env: RunEnv | undefined };
}

const DEFAULT_KERNEL_BTF = "/sys/kernel/btf/vmlinux";

const PROG_TYPES: Readonly<Record<string, ProgType>> = {
  BPF_PROG_TYPE_XDP: "xdp",
  BPF_PROG_TYPE_LWT_IN: "lwt_in",
  BPF_PROG_TYPE_LWT_OUT: "lwt_out",
  BPF_PROG_TYPE_LWT_XMIT: "lwt_xmit",
  BPF_PROG_TYPE_LWT_SEG6LOCAL: "lwt_seg6local",
  BPF_PROG_TYPE_SCHED_CLS: "tc",
  BPF_PROG_TYPE_CGROUP_SKB: "cgroup_skb",
};

/** The section's program type: an exact SECTIONS entry, else its part before "/"; "socket*" is a socket filter. */
export function sectionType(
  section: string,
): { progType: ProgType; info?: SectionInfo } | undefined {
  const info =
    SECTIONS.find((s) => s.section === section) ??
    SECTIONS.find((s) => s.section === section.split("/")[0]);
  const progType = info && PROG_TYPES[info.progType];
  if (info && progType) return { progType, info };
  if (section === "socket" || section.startsWith("socket/")) return { progType: "socket_filter" };
  return undefined;
}

export function readBytes(input: Uint8Array | string): Uint8Array {
  if (typeof input !== "string") return input;
  try {
    return new Uint8Array(readFileSync(input));
  } catch (e) {
    throw new LoadError(`cannot read ${input}: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
}

export function loadBpfObject(bytes: Uint8Array, options: LoadOptions): LoadedObject {
  let object: BpfObject;
  try {
    object = readObject(bytes);
  } catch (e) {
    if (e instanceof ElfError)
      throw new LoadError(`not a loadable BPF object: ${e.message}`, { cause: e });
    throw new LoadError(
      `not a loadable BPF object: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  const entries = object.programs.filter((p) => !p.subprogram);
  if (entries.length === 0)
    throw new LoadError("the object has no programs (no function outside .text)");
  const typed = entries.map((p) => {
    const t = sectionType(p.section);
    if (!t)
      throw new LoadError(
        `program ${p.name}: section "${p.section}" is not a program type the runtime runs`,
      );
    return { p, t };
  });
  const mapEnv = createEnv({
    cpus: options.cpus ?? 1,
    ...(options.ifindexes ? { ifindexes: new Set(options.ifindexes) } : {}),
  });
  const current: { env: RunEnv | undefined } = { env: undefined };
  const kfuncIds = new Map(KFUNCS.map((k, i) => [k.name, i + 1]));
  let maps: ObjectMaps | undefined;
  // Maps need the VM's memory and linking needs the maps' indexes: link against
  // the object's names first (indexes follow the same order), then create.
  const mapNames = [
    ...object.maps.map((m) => m.name),
    ...object.globals.filter((g) => g.size > 0).map((g) => g.name),
  ];
  const kernelBtf = options.kernelBtf === undefined ? DEFAULT_KERNEL_BTF : options.kernelBtf;
  try {
    applyCoreRelocations(object, () => kernelBtfTypes(kernelBtf), String(kernelBtf));
  } catch (e) {
    if (e instanceof LoadError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new LoadError(`cannot apply CO-RE relocations: ${why}`, { cause: e });
  }
  const btfTypes = object.btf?.types ?? [];
  const exceptionCallbacks = exceptionCallbackNames(btfTypes);
  let image;
  try {
    image = linkObject(object, entries, {
      mapIndex: (name) => (mapNames.includes(name) ? mapNames.indexOf(name) : undefined),
      kfuncId: (name) => kfuncIds.get(KFUNC_ALIASES[name] ?? name),
      roots: [...exceptionCallbacks.values()],
    });
  } catch (e) {
    if (e instanceof LoadError) throw e;
    throw new LoadError(`cannot link: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const helpers = bridge(
    HELPERS.map((h) => [h.id, h.name]),
    options.helpers,
    current,
    "helper",
  );
  helpers.set(CORE_POISON, () => {
    throw new VmError(
      "call",
      "an instruction whose CO-RE relocation found nothing in the kernel BTF (libbpf poisons it; the verifier refuses the program when it is reachable)",
    );
  });
  const vm = createVm({
    code: image.code,
    helpers,
    kfuncs: bridge(
      KFUNCS.map((k, i) => [i + 1, k.name]),
      options.kfuncs,
      current,
      "kfunc",
    ),
    ldImm64Resolver: (src, imm, next) => maps?.resolve(src, imm, next),
    ...(options.tier ? { tier: options.tier } : {}),
  });
  maps = new ObjectMaps(vm.mem, object, mapEnv);
  // What the local-object, list, rbtree and exception kfuncs read from the program's BTF.
  attachProgramInfo(maps, {
    types: btfTypes,
    globalOffsets: new Map(
      object.globals.map((g) => [g.name, new Map(g.variables.map((v) => [v.name, v.offset]))]),
    ),
    mapValueTypes: new Map(
      object.maps.flatMap((m) => (m.valueType === undefined ? [] : [[m.name, m.valueType]])),
    ),
    exceptionCallbacks: new Map(
      [...exceptionCallbacks].flatMap(([entry, cb]) => {
        const from = image.entries.get(entry);
        const to = image.functions.get(cb);
        return from === undefined || to === undefined ? [] : [[from, to]];
      }),
    ),
  });
  // Special fields of map values: skipped by updates, freed with the value (value-fields.ts).
  for (const m of object.maps) {
    const map = m.valueType === undefined ? undefined : maps.all().get(m.name);
    if (map) map.valueFields = mapValueFields({ maps, vm }, btfTypes, m.valueType!);
  }
  const programs = typed.map(({ p, t }, i): LoadedProgram => ({
    name: p.name,
    section: p.section,
    progType: t.progType,
    contextName: t.info?.context,
    returns: t.info?.returns,
    entry: image.entries.get(p.name)!,
    handle: i + 1,
  }));
  return { object, programs, maps, mapEnv, vm, current };
}

/**
 * Kernel names of kfuncs the stdlib knows by another name: 6.18 renamed
 * bpf_stream_vprintk to bpf_stream_vprintk_impl (same arguments plus the
 * aux__prog the verifier fills in), and clang objects built for it call that.
 */
const KFUNC_ALIASES: Readonly<Record<string, string>> = {
  bpf_stream_vprintk_impl: "bpf_stream_vprintk",
};

/** VM call tables: every known id, calling the registry's implementation with the current run's env. */
function bridge(
  ids: readonly (readonly [number, string])[],
  registry: HelperRegistry,
  current: { env: RunEnv | undefined },
  what: string,
): Map<number, AnyHelperFn> {
  const table = new Map<number, AnyHelperFn>();
  const outside = (name: string) => new VmError("call", `${what} ${name} called outside a run`);
  for (const [id, name] of ids) {
    const impl = registry[name];
    const regs = impl?.regs;
    if (regs) {
      // The per-packet path: arguments stay in the register file, no BigInt.
      const fn = (vm: VmHandle) => {
        const env = current.env;
        if (!env) throw outside(name);
        return regs(env, vm.U32);
      };
      const generic = Object.assign(fn, { registers: true as const });
      const site = SITE_HELPERS[name];
      table.set(
        id,
        site ? Object.assign(generic, { site: () => site(current, generic) }) : generic,
      );
      continue;
    }
    table.set(
      id,
      impl
        ? (_vm, r1, r2, r3, r4, r5) => {
            const env = current.env;
            if (!env) throw outside(name);
            return impl(env, r1, r2, r3, r4, r5);
          }
        : () => {
            throw new VmError(
              "call",
              `${what} ${name} (id ${id}) is not implemented by the runtime`,
            );
          },
    );
  }
  return table;
}
