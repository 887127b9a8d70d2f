// Differential-test plumbing: compile a C object with clang-19, load it in
// the kernel (bpftool, BPF_PROG_TEST_RUN) and in the runtime (loadObject),
// run the same packets through both and collect what each saw: return
// value, data_out and the contents of every array map.

import { readFileSync } from "node:fs";
import { loadObject, type LoadObjectOptions, type TsbpfObject } from "../../runtime/api.js";
import {
  dumpMap,
  mapInfo,
  loadWithBpftool,
  testRun,
  type BpftoolLoadHandle,
  type ProgramType,
} from "../../runtime/kernel/index.js";
import { cBuildDir, type CBuildDir } from "../kernel/clang.js";

export interface Outcome {
  retval: number;
  packet: string;
  maps: Record<string, string[]>;
}

export interface DiffObject {
  /** `cpu`: the CPU to run on (kernel: bpftool pinned with taskset); default any / 0. */
  kernel(program: string, packet: Uint8Array, cpu?: number): Promise<Outcome>;
  runtime(program: string, packet: Uint8Array, cpu?: number): Outcome;
  /** The runtime's loaded object (for tests that drive its clock or world). */
  readonly object: TsbpfObject;
  /** The kernel's id of the map named `name` (for user-space updates through the kernel). */
  kernelMapId(name: string): number | undefined;
  dispose(): void;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export async function diffObject(
  name: string,
  source: string,
  type: ProgramType,
  mapNames: readonly string[],
  options: { kernelCpus?: boolean; load?: LoadObjectOptions } = {},
): Promise<DiffObject> {
  const build: CBuildDir = cBuildDir();
  const path = await build.compile(name, source);
  const k: BpftoolLoadHandle = await loadWithBpftool(path, { type });
  // kernelCpus: as many runtime CPUs as the kernel's possible CPUs (nr_cpu_ids), for helpers
  // that check a cpu argument against it.
  const cpus = options.kernelCpus ? { cpus: possibleCpus() } : {};
  const obj: TsbpfObject = loadObject(readFileSync(path), {
    clock: 1_000_000_000n,
    ...cpus,
    ...options.load,
  });
  const ids = new Map<string, number>();
  for (const p of k.programs) {
    for (const id of p.mapIds) {
      const show = await dumpMapName(id);
      if (show) ids.set(show, id);
    }
  }
  return {
    object: obj,
    kernelMapId: (name) => ids.get(name),
    async kernel(program, packet, cpu) {
      const pinned = k.programs.find((p) => p.name === program);
      if (!pinned) throw new Error(`kernel has no program ${program}`);
      const r = await testRun(pinned, { data: packet, ...(cpu === undefined ? {} : { cpu }) });
      const maps: Record<string, string[]> = {};
      for (const m of mapNames) {
        const id = ids.get(m);
        maps[m] = id === undefined ? [] : (await dumpMap(id)).map((e) => hex(e.value!));
      }
      return { retval: r.retval, packet: hex(r.dataOut), maps };
    },
    runtime(program, packet, cpu) {
      const r = obj.program(program).run({ packet, ...(cpu === undefined ? {} : { cpu }) });
      if (r.fault) throw new Error(`runtime fault: ${r.fault.message}`);
      const maps: Record<string, string[]> = {};
      for (const m of mapNames) maps[m] = obj.maps[m]!.entries().map(([, v]) => hex(v));
      return { retval: r.retval, packet: hex(r.packet), maps };
    },
    dispose() {
      k.dispose();
      build.dispose();
    },
  };
}

/** A map's name by id (bpftool map show; at most 15 characters), to pair kernel and runtime maps. */
async function dumpMapName(id: number): Promise<string | undefined> {
  return (await mapInfo(id)).name;
}

/** nr_cpu_ids: one more than the last CPU of /sys/devices/system/cpu/possible ("0-1", "0"). */
function possibleCpus(): number {
  const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  return Math.max(...text.split(/[,-]/).map(Number)) + 1;
}
