// The user-facing runtime API: load an object (ours or clang's), get its
// programs and maps, run a program on a packet as BPF_PROG_TEST_RUN would,
// read and write maps with the bpf(2) syscall semantics.
//
//   const obj = loadObject("firewall.o", { cpus: 2, randomSeed: 1 });
//   const r = obj.program("firewall").run({ packet });
//   r.action === "XDP_DROP"; obj.maps.blocked.get(key)

import type { Clock, Random, RunEnv } from "./env.js";
import { conntrackHandle, type ConntrackHandle } from "./helpers/conntrack-table.js";
import { parseIp } from "./helpers/fib.js";
import { attachWorld, worldOf, type HelperWorld } from "./helpers/support.js";
import type { VmTier } from "./vm/types.js";
import { HELPERS_IMPL, KFUNCS_IMPL } from "./helpers/index.js";
import { loadBpfObject, readBytes, type LoadedObject, type LoadedProgram } from "./loader/index.js";
import { runProgram, runTimers, type RunInput, type RunOutput } from "./loader/run.js";
import {
  PerCpuValue,
  PerfEventArrayMap,
  RingBufMap,
  UserRingBufMap,
  type BpfMap,
  type PerfRecord,
} from "./maps/index.js";

export interface LoadObjectOptions {
  /** CPUs for per-CPU maps (default 1). */
  cpus?: number;
  /** bpf_ktime_get_ns: a fixed value, a function, or a Clock. Default: starts at 1 s, +1000 ns per read. */
  clock?: bigint | number | (() => bigint | number) | Clock;
  /** Seed of bpf_get_prandom_u32 (default 0). */
  randomSeed?: number;
  /** Interfaces that exist (devmap entries must name one); default: any. */
  ifindexes?: readonly number[];
  /** The ifindex of the loopback device test_run uses (default 1). */
  loopbackIfindex?: number;
  /**
   * Which engine runs the programs: "interpret" (the reference
   * interpreter), "translate" (BPF translated to JavaScript) or "auto"
   * (the default: interpreted until a program has run about 200,000
   * instructions, then translated). All three give the same results.
   */
  tier?: VmTier;
  /**
   * What helpers know of the world outside the program (runtime/helpers/support.ts
   * HelperWorld: FIB, MTUs, tunnel metadata, cgroups, pid/tgid, hz...); unset fields
   * keep the documented defaults.
   */
  world?: Partial<HelperWorld>;
}

export type Key = Uint8Array | number | bigint;

/** A map from user space (BPF_MAP_* syscall semantics); errors are negative errno numbers. */
export interface MapHandle {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** A copy of the value (per-CPU maps: every CPU's value, each padded to 8 bytes). */
  get(key: Key): Uint8Array | undefined;
  /** Per-CPU maps: one value per CPU. Other maps: a one-element list. */
  getPerCpu(key: Key): Uint8Array[] | undefined;
  set(key: Key, value: Uint8Array, flags?: number): number;
  delete(key: Key): number;
  entries(): [Uint8Array, Uint8Array][];
  iterate(): IterableIterator<[Uint8Array, Uint8Array]>;
  /** Ring buffers: the committed records a consumer would read now (and consumes them). */
  consume(): Uint8Array[];
  /**
   * Perf event arrays: attach a reader, opening the slot of each CPU in
   * `cpus` (default: every CPU), as libbpf's perf_buffer__new does. Until a
   * reader is attached, bpf_perf_event_output returns -ENOENT, as the
   * kernel's does on a loaded object's empty perf event array. Throws for
   * other map types.
   */
  attachReader(cpus?: readonly number[]): void;
  /** Perf event arrays: close every slot again (output returns -ENOENT). */
  detachReader(): void;
  /** Perf event arrays: the records written since the last drain, CPU by CPU (and takes them). */
  drain(): PerfRecord[];
  /**
   * User ring buffers: produce a sample for bpf_user_ringbuf_drain (as libbpf's
   * user_ring_buffer__reserve + submit, or __discard when `discard`); 0, or
   * -E2BIG / -ENOSPC when it does not fit. Throws for other map types.
   */
  produce(sample: Uint8Array, discard?: boolean): number;
  /** The runtime map underneath. */
  readonly raw: BpfMap;
}

export interface ProgramHandle {
  readonly name: string;
  readonly section: string;
  readonly type: string;
  /** What a program array stores to name this program (a prog fd for the kernel). */
  readonly handle: number;
  run(input: RunInput): RunOutput;
}

export interface TsbpfObject {
  readonly programs: readonly ProgramHandle[];
  program(name: string): ProgramHandle;
  readonly maps: Readonly<Record<string, MapHandle>>;
  /**
   * BPF timers and work queues: nothing fires by itself. Run every work
   * item bpf_wq_start queued, then every armed timer callback
   * whose expiry has passed on the clock (bpf_timer_start's nsecs after the
   * clock read at start), earliest first, on `cpu` (default 0); returns how
   * many callbacks ran. A callback's fault is thrown as a VmError.
   */
  runDueTimers(cpu?: number): number;
  /**
   * Move the clock (bpf_ktime_get_ns and the timers' clocks) forward by
   * `ns` nanoseconds, on top of whatever the `clock` option gives, then run
   * the timers that became due (as runDueTimers). Returns how many ran.
   */
  advanceClock(ns: bigint | number, cpu?: number): number;
  /**
   * The simulated conntrack table the conntrack kfuncs look up and insert
   * into (runtime/helpers/conntrack-table.ts): empty at load; add entries
   * here, read back what programs inserted.
   */
  readonly conntrack: ConntrackHandle;
}

export type { PerfRecord, RunInput, RunOutput };

export function loadObject(
  input: Uint8Array | string,
  options: LoadObjectOptions = {},
): TsbpfObject {
  const loaded = loadBpfObject(readBytes(input), {
    ...(options.cpus !== undefined ? { cpus: options.cpus } : {}),
    ...(options.ifindexes ? { ifindexes: options.ifindexes } : {}),
    helpers: HELPERS_IMPL,
    kfuncs: KFUNCS_IMPL,
    tier: options.tier ?? "auto",
    ...(options.world?.kernelBtf !== undefined ? { kernelBtf: options.world.kernelBtf } : {}),
  });
  if (options.world) attachWorld(loaded.maps, options.world);
  const base = makeClock(options.clock);
  let shift = 0n;
  const clock: Clock = {
    ns: () => base.ns() + shift,
    // Both halves below 2^52, so the sum is a safe integer; else ns() is read.
    nsNumber: () => {
      if (shift >= SAFE_CLOCK_BIG) return undefined;
      const n = base.nsNumber?.();
      return n === undefined ? undefined : n + Number(shift);
    },
    // Unshifted (advanceClock not used): the base clock's own halves.
    nsInto: (regs) => shift === 0n && base.nsInto !== undefined && base.nsInto(regs),
    get bootOffset() {
      return base.bootOffset;
    },
    get taiOffset() {
      return base.taiOffset;
    },
  };
  const services = {
    clock,
    random: seededRandom(options.randomSeed ?? 0),
    loopbackIfindex: options.loopbackIfindex ?? 1,
  };
  const programs = loaded.programs.map((p) => programHandle(loaded, p, services));
  const maps: Record<string, MapHandle> = {};
  for (const [name, m] of loaded.maps.all()) maps[name] = mapHandle(m);
  const conntrack = conntrackHandle(
    loaded.maps,
    { clock },
    () => worldOf({ maps: loaded.maps } as unknown as RunEnv).hz,
    parseIp,
  );
  return {
    programs,
    maps,
    conntrack,
    runDueTimers: (cpu) => runTimers(loaded, services, cpu),
    advanceClock(ns, cpu) {
      if (BigInt(ns) < 0n) throw new RangeError("the clock only moves forward");
      shift += BigInt(ns);
      return runTimers(loaded, services, cpu);
    },
    program(name: string): ProgramHandle {
      const p = programs.find((x) => x.name === name);
      if (!p) {
        throw new Error(
          `no program ${name} (the object has ${programs.map((x) => x.name).join(", ")})`,
        );
      }
      return p;
    },
  };
}

function programHandle(
  loaded: LoadedObject,
  p: LoadedProgram,
  services: Parameters<typeof runProgram>[3],
): ProgramHandle {
  return {
    name: p.name,
    section: p.section,
    type: p.progType,
    handle: p.handle,
    run: (input) => runProgram(loaded, p, input, services),
  };
}

function keyBytes(m: BpfMap, key: Key): Uint8Array {
  if (key instanceof Uint8Array) return key;
  const b = new Uint8Array(m.keySize);
  let v = BigInt.asUintN(m.keySize * 8, BigInt(key));
  for (let i = 0; i < m.keySize; i++, v >>= 8n) b[i] = Number(v & 0xffn);
  return b;
}

function mapHandle(m: BpfMap): MapHandle {
  const perCpu = (v: Uint8Array): Uint8Array[] => {
    const stride = Math.ceil(m.valueSize / 8) * 8;
    if (v.length === m.valueSize) return [v];
    const out: Uint8Array[] = [];
    for (let at = 0; at < v.length; at += stride) out.push(v.slice(at, at + m.valueSize));
    return out;
  };
  return {
    name: m.name,
    type: m.type,
    keySize: m.keySize,
    valueSize: m.valueSize,
    maxEntries: m.maxEntries,
    raw: m,
    get: (key) => m.get(keyBytes(m, key)),
    getPerCpu: (key) => {
      const v = m.get(keyBytes(m, key));
      return v && perCpu(v);
    },
    set: (key, value, flags) => m.set(keyBytes(m, key), value, flags),
    delete: (key) => m.delete(keyBytes(m, key)),
    entries: () => [...m.entries()],
    iterate: () => m.entries(),
    consume: () => (m instanceof RingBufMap ? m.consume() : []),
    attachReader: (cpus) => perf(m, "attachReader").attachReader(cpus),
    detachReader: () => perf(m, "detachReader").detachReaders(),
    drain: () => (m instanceof PerfEventArrayMap ? m.drain() : []),
    produce: (sample, discard) => {
      if (!(m instanceof UserRingBufMap))
        throw new Error(`produce: map ${m.name} is not a user ring buffer`);
      return m.produce(sample, discard);
    },
  };
}

function perf(m: BpfMap, what: string): PerfEventArrayMap {
  if (!(m instanceof PerfEventArrayMap))
    throw new Error(`${what}: map ${m.name} is not a perf event array`);
  return m;
}

/** Clock readings (and shifts) below this are served as numbers (Clock.nsNumber). */
const SAFE_CLOCK = 2 ** 52;
const SAFE_CLOCK_BIG = BigInt(SAFE_CLOCK);

function makeClock(c: LoadObjectOptions["clock"]): Clock {
  if (typeof c === "object" && c !== null) return c;
  if (typeof c === "function") return { ns: () => BigInt(c()) };
  if (c !== undefined) {
    const fixed = BigInt(c);
    const n = fixed < SAFE_CLOCK_BIG && fixed >= 0n ? Number(fixed) : undefined;
    return { ns: () => fixed, nsNumber: () => n };
  }
  // A number while it is safe (a BigInt per read would be the per-packet
  // path's only allocation in a program that reads the time), kept in a
  // Float64Array: a closure variable past 2^31 would be a new heap number
  // per read, and nsInto hands it over as halves.
  const t = new Float64Array([1_000_000_000]);
  let big = 0n;
  return {
    ns: () => {
      if (t[0]! + 1000 < SAFE_CLOCK) return BigInt((t[0] += 1000));
      big = big === 0n ? BigInt(t[0]!) : big;
      return (big += 1000n);
    },
    nsNumber: () => (t[0]! + 1000 < SAFE_CLOCK ? (t[0] += 1000) : undefined),
    nsInto: (regs) => {
      const v = t[0]! + 1000;
      if (v >= SAFE_CLOCK) return false;
      t[0] = v;
      const high = Math.floor(v / 4294967296);
      regs[0] = v - high * 4294967296;
      regs[1] = high;
      return true;
    },
  };
}

/** mulberry32: a small seeded generator; the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  // The state as an int32 (same bits): a closure variable above 2^31 is a
  // heap number per call, and bpf_get_prandom_u32 is on the per-packet path.
  let a = seed | 0;
  return {
    u32() {
      a = (a + 0x6d2b79f5) | 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (t ^ (t >>> 14)) >>> 0;
    },
  };
}

export { PerCpuValue };
