// A minimal RunEnv for helper unit tests, built from the runtime's own
// pieces (VM, contexts, maps) without the loader: a VM over assembled code
// (for callbacks), the XDP or skb context test_run would build, a map
// registry, a fixed clock and a counter "random" source. `call` invokes a
// helper the way the interpreter would, with arguments as bigints.

import { assemble } from "../../bpf/asm/index.js";
import { createRunContext } from "../../runtime/context/index.js";
import type {
  HelperImpl,
  HelperRegistry,
  MapRegistry,
  ProgType,
  RunEnv,
} from "../../runtime/env.js";
import {
  CpuContext,
  createMap,
  createEnv,
  type BpfMap,
  type MapDef,
} from "../../runtime/maps/index.js";
import type { Region, RegionKind } from "../../runtime/vm/memory.js";
import { createVm, type Vm } from "../../runtime/vm/vm.js";
import { VmError, type Pointer } from "../../runtime/vm/types.js";

export interface TestEnvOptions {
  progType?: ProgType;
  /** data_in: the frame from the Ethernet header on. */
  frame?: Uint8Array;
  ctx?: Record<string, number | bigint>;
  /** Assembly text for callbacks; subprograms are addressed by slot. */
  code?: string;
  maps?: Record<string, MapDef>;
  cpus?: number;
  nowNs?: bigint;
}

export interface TestEnv extends RunEnv {
  readonly vm: Vm;
  /** Register bytes as program memory (stack-like) and return the pointer. */
  mem(bytes: Uint8Array | number, kind?: RegionKind): Pointer;
  map(name: string): BpfMap;
  now: bigint;
}

export function defaultFrame(len = 64): Uint8Array {
  const f = new Uint8Array(len);
  f[12] = 0x08; // IPv4
  f[14] = 0x45;
  for (let i = 15; i < len; i++) f[i] = i & 0xff;
  return f;
}

export function makeEnv(o: TestEnvOptions = {}): TestEnv {
  const code = o.code ? assemble(o.code).bytes : assemble("r0 = 0\nexit").bytes;
  const vm = createVm({ code });
  const progType = o.progType ?? "xdp";
  const rc = createRunContext(vm.mem, {
    progType,
    contextName: undefined,
    frame: o.frame ?? defaultFrame(),
    ...(o.ctx ? { ctx: o.ctx } : {}),
    loopbackIfindex: 1,
  });
  if (typeof rc === "string") throw new Error(rc);
  const mapEnv = createEnv({ cpus: o.cpus ?? 1 });
  const maps = new Map<string, BpfMap>();
  for (const [name, def] of Object.entries(o.maps ?? {})) {
    maps.set(name, createMap({ ...def, name }, mapEnv));
  }
  const mapRegions = new Map<BpfMap, Region>();
  const valueRegions = new Map<Uint8Array, Region>();
  for (const m of maps.values()) {
    mapRegions.set(m, vm.mem.addRegion("rodata", new Uint8Array(8), { name: `map ${m.name}` }));
  }
  const byPointer = (ptr: Pointer) => {
    const at = vm.mem.regionOf(ptr);
    for (const [m, r] of mapRegions) if (at?.region === r && at.offset === 0) return m;
    return undefined;
  };
  const registry: MapRegistry = {
    byPointer,
    require: (ptr, helper) => {
      const m = byPointer(ptr);
      if (!m) throw new VmError("helper", `${helper}: 0x${ptr.toString(16)} is not a map`);
      return m;
    },
    byName: (n) => maps.get(n),
    pointerOf: (m) => mapRegions.get(m)!.ptr,
    all: () => maps,
    valuePointer: (_m, value) => {
      let r = valueRegions.get(value);
      if (!r) {
        r = vm.mem.addRegion("map_value", value, { name: "map value" });
        valueRegions.set(value, r);
      }
      return r.ptr;
    },
  };
  let rnd = 0;
  const env: TestEnv = {
    vm,
    progType,
    program: "test",
    packet: rc.packet,
    ctx: rc.ctx,
    maps: registry,
    now: o.nowNs ?? 1_000_000_000n,
    clock: { ns: () => env.now },
    random: { u32: () => (rnd = (rnd + 0x9e3779b9) >>> 0) },
    log: [],
    redirect: undefined,
    cpus: mapEnv.cpus instanceof CpuContext ? mapEnv.cpus : new CpuContext(1),
    tailCalls: [],
    expose: (kind, bytes, name, readOnly) =>
      vm.mem.addRegion(kind, bytes, { name, ...(readOnly ? { readOnly } : {}) }).ptr,
    tailCall: () => {
      throw new VmError("call", "tail calls are not part of the helper harness");
    },
    mem: (bytes, kind = "stack") =>
      vm.mem.addRegion(kind, typeof bytes === "number" ? new Uint8Array(bytes) : bytes, {
        name: `test ${kind}`,
      }).ptr,
    map: (n) => maps.get(n)!,
  };
  return env;
}

/** Call a helper from a registry as the interpreter would. */
export function call(
  env: RunEnv,
  registry: HelperRegistry,
  name: string,
  ...args: (bigint | number)[]
): bigint {
  const impl: HelperImpl | undefined = registry[name];
  if (!impl) throw new Error(`no helper ${name}`);
  const a = args.map((x) => BigInt.asUintN(64, BigInt(x)));
  while (a.length < 5) a.push(0n);
  return BigInt.asIntN(64, impl(env, a[0]!, a[1]!, a[2]!, a[3]!, a[4]!));
}

export function bytes(...xs: number[]): Uint8Array {
  return Uint8Array.from(xs);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}
