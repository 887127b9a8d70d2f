// One compiled source, kernel vs interpreter: the object is loaded once by
// `bpftool prog loadall` (the verifier checks every program; a refused
// object is retried program by program with the caller's help), each
// program is opened in bpf_helper.py, and every program runs its packets in
// order on both sides (map state carries over from packet to packet). After
// every packet r0, data_out and every map the program uses (all entries,
// sorted by key; per-CPU maps one value per CPU) are compared. The first
// difference ends that program's comparison.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadObject, type TsbpfObject } from "../../../runtime/index.js";
import { KernelError, run, uniqueName } from "../../../runtime/kernel/index.js";
import { BPFFS_ROOT, track } from "../../../runtime/kernel/resources.js";
import type { FastKernel, KernelMap, MapDump } from "../kernel-fast/client.js";
import { possibleCpus } from "../raw/differential.js";

/** What one side computed for one packet. */
export interface ProgramObservation {
  retval: number;
  packet: string;
  /** Map name -> its entries after the packet. */
  maps: Record<string, MapDump>;
  /** Interpreter only: it stopped with a fault or threw (the kernel never does on verified code). */
  fault?: string;
}

export interface ProgramDisagreement {
  program: string;
  /** Index of the first packet whose observations differ. */
  packet: number;
  kernel: ProgramObservation;
  interpreter: ProgramObservation;
}

export interface ObjectResult {
  /** The verifier's (bpftool's) refusal of the whole object, or undefined when it loaded. */
  refused?: string;
  agreements: number;
  packets: number;
  disagreements: ProgramDisagreement[];
  /** Maps left out of the comparison (internal maps), by name. */
  skippedMaps: string[];
  costs: ObjectCosts;
}

/** Where one object's comparison spent its time, in ms (CPU unless said). */
export interface ObjectCosts {
  /** `bpftool prog loadall` (libbpf and the verifier): wall time, and its CPU time. */
  loadWall: number;
  load: number;
  /** bpf_helper.py: BPF_PROG_TEST_RUN syscalls, and walking the maps after each packet. */
  testRun: number;
  dump: number;
  /** This process: loadObject, the interpreter's runs and its map dumps. */
  interpreter: number;
}

export const noCosts = (): ObjectCosts => ({
  loadWall: 0,
  load: 0,
  testRun: 0,
  dump: 0,
  interpreter: 0,
});

/** CPU time of this process's waited-for children (bpftool), from /proc (10 ms ticks). */
function childCpuMs(): number {
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(f[13]) + Number(f[14])) * 10;
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Whether a map is compared: the program's own maps, not libbpf's internal .rodata/.bss. */
const compared = (m: KernelMap) => !m.name.includes(".");

function interpDump(obj: TsbpfObject, m: KernelMap): MapDump {
  const h = obj.maps[m.name];
  if (!h)
    throw new Error(`interpreter has no map ${m.name} (has ${Object.keys(obj.maps).join(", ")})`);
  const percpu = [5, 6, 10].includes(h.type);
  const out: MapDump = h.entries().map(([k, v]): [string, string | string[]] => {
    if (!percpu) return [hex(k), hex(v.subarray(0, h.valueSize))];
    return [hex(k), (h.getPerCpu(k) ?? []).map((x) => hex(x.subarray(0, h.valueSize)))];
  });
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function interpRun(
  obj: TsbpfObject,
  name: string,
  maps: KernelMap[],
  packet: Uint8Array,
): ProgramObservation {
  try {
    const out = obj.program(name).run({ packet, cpu: 0 });
    return {
      retval: out.retval,
      packet: hex(out.packet),
      maps: Object.fromEntries(maps.map((m) => [m.name, interpDump(obj, m)])),
      ...(out.fault
        ? { fault: `${out.fault.kind} at pc ${out.fault.pc}: ${out.fault.message}` }
        : {}),
    };
  } catch (e) {
    return {
      retval: -1,
      packet: "",
      maps: {},
      fault: `interpreter threw: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}

export function sameObservation(a: ProgramObservation, b: ProgramObservation): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** One line on what differs. */
export function describeProgramDifference(k: ProgramObservation, i: ProgramObservation): string {
  const parts: string[] = [];
  if (i.fault) parts.push(`interpreter: ${i.fault}`);
  if (k.retval !== i.retval) parts.push(`r0 kernel ${k.retval} vs interpreter ${i.retval}`);
  if (k.packet !== i.packet) parts.push("data_out differs");
  for (const name of Object.keys(k.maps)) {
    if (JSON.stringify(k.maps[name]) !== JSON.stringify(i.maps[name]))
      parts.push(`map ${name} differs`);
  }
  return parts.join("; ") || "observations differ";
}

/**
 * Loads `object` in the kernel and the interpreter and runs `packets[name]`
 * through each named program. `refused` is set (and nothing run) when the
 * verifier refuses the object.
 */
export async function compareObject(
  fast: FastKernel,
  object: Uint8Array,
  packets: Record<string, Uint8Array[]>,
): Promise<ObjectResult> {
  const costs = noCosts();
  const result: ObjectResult = {
    agreements: 0,
    packets: 0,
    disagreements: [],
    skippedMaps: [],
    costs,
  };
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-genfuzz-"));
  const pinDir = join(BPFFS_ROOT, uniqueName("genfuzz"));
  const dispose = track({ kind: "pin", path: pinDir });
  const fds: number[] = [];
  try {
    const file = join(dir, "gen.o");
    writeFileSync(file, object);
    const [w0, c0] = [performance.now(), childCpuMs()];
    try {
      await run("bpftool", ["prog", "loadall", file, pinDir, "type", "xdp"], {
        timeoutMs: 120_000,
      });
    } catch (e) {
      if (e instanceof KernelError)
        return { ...result, refused: `${e.message}\n${e.stderr ?? ""}` };
      throw e;
    } finally {
      costs.loadWall += performance.now() - w0;
      costs.load += childCpuMs() - c0;
    }
    const opened = new Map<string, { fd: number; maps: KernelMap[] }>();
    for (const name of Object.keys(packets)) {
      const o = await fast.open(join(pinDir, name));
      fds.push(o.fd, ...o.maps.map((m) => m.fd));
      for (const m of o.maps) if (!compared(m)) result.skippedMaps.push(m.name);
      opened.set(name, { fd: o.fd, maps: o.maps.filter(compared) });
    }
    dispose();
    let i0 = ownCpuMs();
    const obj = loadObject(object, { cpus: possibleCpus() });
    costs.interpreter += ownCpuMs() - i0;
    for (const [name, pkts] of Object.entries(packets)) {
      const k = opened.get(name)!;
      // Queue every packet with the helper first, so the kernel works while we interpret.
      const mapFds = k.maps.map((m) => m.fd);
      const pending = pkts.map((p) => fast.run(k.fd, p, [], mapFds));
      pending.forEach((p) => p.catch(() => {}));
      for (let i = 0; i < pkts.length; i++) {
        i0 = ownCpuMs();
        const ours = interpRun(obj, name, k.maps, pkts[i]!);
        costs.interpreter += ownCpuMs() - i0;
        const kr = await pending[i]!;
        costs.testRun += kr.cpuNs.testRun / 1e6;
        costs.dump += kr.cpuNs.dump / 1e6;
        const theirs: ProgramObservation = {
          retval: kr.retval,
          packet: hex(kr.data),
          maps: Object.fromEntries(k.maps.map((m, j) => [m.name, kr.dumps[j]!])),
        };
        result.packets++;
        if (sameObservation(ours, theirs)) {
          result.agreements++;
          continue;
        }
        result.disagreements.push({ program: name, packet: i, kernel: theirs, interpreter: ours });
        await Promise.allSettled(pending);
        break;
      }
    }
    return result;
  } finally {
    dispose();
    rmSync(dir, { recursive: true, force: true });
    await fast.close(fds).catch(() => {});
  }
}
