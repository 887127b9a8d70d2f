// One run of a loaded program, as BPF_PROG_TEST_RUN does it: build the
// packet and context, make the RunEnv helpers receive, run the entry (and
// the programs bpf_tail_call jumps to: the helper unwinds the VM and this
// loop starts the target on the same context), repeat as asked, then read
// back the return value, data_out, redirect, log and context fields, and
// drop every region the run registered. Never throws.

import { CONSTANTS } from "../../stdlib/generated/data/constants.js";
import { createRunContext, type RunContext } from "../context/index.js";
import type { Clock, Random, RedirectRecord, RunEnv, TailCallRecord } from "../env.js";
import { REGION_HI, type RegionKind } from "../vm/memory.js";
import { VmError, type Pointer, type VmFault } from "../vm/types.js";
import { exceptionCallbackOf, takeThrown } from "../helpers/exceptions.js";
import { printedStreams, type Streams } from "../helpers/streams.js";
import { runDueTimers } from "../helpers/timer.js";
import type { LoadedObject, LoadedProgram } from "./load.js";

export interface RunInput {
  /** data_in: the frame from the Ethernet header on (LWT too: the kernel consumes it). */
  packet: Uint8Array;
  /** ctx_in fields by name (XDP: data = metadata length, ingress_ifindex, rx_queue_index; skb: mark, priority, cb[i], ifindex...). */
  ctx?: Readonly<Record<string, number | bigint>>;
  /** Run this many times on the same packet and context (maps see every run). Default 1. */
  repeat?: number;
  /** The CPU to run on (per-CPU maps). Default 0. */
  cpu?: number;
  /**
   * tc programs: bytes just before data, as the skb's metadata (__sk_buff->data_meta), the
   * way an XDP program's adjustMeta + ctx.meta<T>() leaves it for tc ingress. At most 32
   * bytes, a multiple of 4 (what XDP can write). BPF_PROG_TEST_RUN has no such input (its
   * skbs start without metadata), so a run with it has no kernel counterpart.
   */
  metadata?: Uint8Array;
}

export interface RunOutput {
  /** r0 as test_run reports it (u32). */
  retval: number;
  /** The return value's name for the program type ("XDP_DROP", "BPF_OK", "TC_ACT_SHOT"...). */
  action: string | undefined;
  /** data_out as BPF_PROG_TEST_RUN gives it (XDP from data_meta; LWT with 14 zero bytes in front). */
  packet: Uint8Array;
  redirect: RedirectRecord | undefined;
  log: string[];
  /** Context fields after the run (packet pointers left out; cb as an array). */
  ctx: Record<string, bigint | bigint[]>;
  tailCalls: TailCallRecord[];
  instructions: number;
  /** Set when the program faulted, or test_run would have refused the input (kind "load"). */
  fault?: VmFault;
  /** What bpf_stream_vprintk wrote to the program's BPF streams, when it wrote anything. */
  streams?: Streams;
}

function streamsOf(env: RunEnv): { streams?: Streams } {
  const s = printedStreams(env);
  return s && (s.stdout || s.stderr) ? { streams: { ...s } } : {};
}

export interface RunServices {
  clock: Clock;
  random: Random;
  loopbackIfindex: number;
}

class TailCallSignal extends VmError {}

/**
 * Per program, the context of its last run, released: the next run refills
 * it (createRunContext's `previous`) instead of building a packet buffer,
 * regions and context struct again, which cost more than the run itself.
 */
const POOLS = new WeakMap<LoadedProgram, { idle: RunContext | undefined }>();

// A local copy: under tsx and vitest an imported binding is a getter call per read.
const REGION_HI_ = REGION_HI;

export function runProgram(
  obj: LoadedObject,
  prog: LoadedProgram,
  input: RunInput,
  services: RunServices,
): RunOutput {
  const { vm, maps } = obj;
  const log: string[] = [];
  const tailCalls: TailCallRecord[] = [];
  const blank = {
    retval: 0,
    action: undefined,
    redirect: undefined,
    log,
    ctx: {},
    tailCalls,
    instructions: 0,
  };
  let rc: RunContext | string;
  let pool = POOLS.get(prog);
  if (pool === undefined) POOLS.set(prog, (pool = { idle: undefined }));
  // Taken out while the run lasts: a run inside this one would build its own.
  const previous = pool.idle;
  pool.idle = undefined;
  try {
    rc = createRunContext(
      vm.mem,
      {
        progType: prog.progType,
        contextName: prog.contextName,
        frame: input.packet,
        ...(input.ctx ? { ctx: input.ctx } : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
        loopbackIfindex: services.loopbackIfindex,
      },
      previous,
    );
  } catch (e) {
    rc = e instanceof Error ? e.message : String(e);
  }
  if (typeof rc === "string") {
    // Refused before anything was refilled: the idle context stays usable.
    pool.idle = previous;
    return {
      ...blank,
      packet: input.packet.slice(),
      fault: {
        kind: "load",
        pc: -1,
        insn: "",
        message: `BPF_PROG_TEST_RUN would refuse this input: ${rc}`,
      },
    };
  }
  const run = rc;
  const exposed: number[] = [];
  let next: LoadedProgram | undefined;
  const env: RunEnv = {
    vm,
    progType: prog.progType,
    program: prog.name,
    packet: run.packet,
    ctx: run.ctx,
    maps,
    clock: services.clock,
    random: services.random,
    log,
    redirect: undefined,
    cpus: obj.mapEnv.cpus,
    tailCalls,
    expose(kind: RegionKind, bytes: Uint8Array, name: string, readOnly?: boolean): Pointer {
      const r = vm.mem.addRegion(kind, bytes, { name, readOnly: readOnly ?? false });
      exposed.push(r.slot);
      return r.ptr;
    },
    tailCall(handle: number, map: string, index: number): never {
      const target = obj.programs.find((p) => p.handle === handle);
      if (!target) throw new VmError("helper", `bpf_tail_call: no program with handle ${handle}`);
      tailCalls.push({ map, index, program: target.name });
      next = target;
      throw new TailCallSignal("helper", "tail call");
    },
  };
  const cpu = input.cpu ?? 0;
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= obj.mapEnv.cpus.count) {
    run.release();
    pool.idle = run;
    return {
      ...blank,
      packet: input.packet.slice(),
      fault: {
        kind: "load",
        pc: -1,
        insn: "",
        message: `cpu ${cpu} is not one of the ${obj.mapEnv.cpus.count} CPUs`,
      },
    };
  }
  obj.mapEnv.cpus.current = cpu;
  obj.current.env = env;
  const state: RepeatState = { ret: 0, instructions: 0, last: prog, fault: undefined };
  const takeNext = () => {
    const n = next;
    next = undefined;
    return n;
  };
  try {
    const repeat = Math.max(1, input.repeat ?? 1);
    // The per-packet loop allocates nothing: r1 is the context pointer as two
    // 32-bit halves, r0 is read as a number (a read of U64[0] would make a
    // BigInt), and anything but a plain exit goes to finishRun.
    const ctxHi = REGION_HI_ + run.ctx.region.slot;
    const entry = prog.entry;
    for (let i = 0; i < repeat;) {
      if (tailCalls.length > 0) tailCalls.length = 0;
      // The stack is zeroed once per call: between repetitions it keeps
      // its bytes, as the kernel's does (see Vm.runFast). Runs that simply
      // exit repeat inside the VM; the first that does not comes back here.
      const done = vm.runRepeat(entry, 0, ctxHi, repeat - i, i === 0);
      state.instructions += vm.total - (done < repeat - i ? vm.count : 0);
      if (done > 0) {
        // Only the low 32 bits are reported.
        state.ret = vm.exitR0;
        state.last = prog;
        i += done;
        if (i === repeat) break;
      }
      // Map value regions outlive a run (ObjectMaps.endRun keeps them) and
      // the context is the same, so nothing else happens between runs.
      const ok = finishRun(obj, env, state, prog, ctxHi, i === 0, takeNext);
      i++;
      maps.endRun();
      if (!ok) break;
    }
    const { ret, fault, last, instructions } = state;
    return {
      retval: ret,
      action: fault ? undefined : actionName(last, BigInt(ret)),
      packet: run.output(),
      redirect: env.redirect,
      log,
      ctx: contextFields(run),
      tailCalls,
      instructions,
      ...(fault ? { fault } : {}),
      ...streamsOf(env),
    };
  } finally {
    obj.current.env = undefined;
    maps.endRun();
    for (const slot of exposed) {
      const r = vm.mem.regions[slot];
      if (r) vm.mem.removeRegion(r);
    }
    run.release();
    pool.idle = run;
  }
}

interface RepeatState {
  ret: number;
  instructions: number;
  /** The program that ran last (a tail call's target): its return enum names the action. */
  last: LoadedProgram;
  fault: VmFault | undefined;
}

/**
 * The rest of a run whose first program did not simply exit: follow tail
 * calls (the helper unwound the VM; `takeNext` names the target), run the
 * exception callback of a bpf_throw, or record the fault (`first` is the
 * program that ran and did not exit). False when the
 * repetitions must stop (a fault).
 */
function finishRun(
  obj: LoadedObject,
  env: RunEnv,
  state: RepeatState,
  first: LoadedProgram,
  ctxHi: number,
  zeroStack: boolean,
  takeNext: () => LoadedProgram | undefined,
): boolean {
  const { vm } = obj;
  let current = first;
  state.instructions += vm.count;
  for (;;) {
    const cookie = takeThrown(env);
    if (cookie !== undefined) {
      // bpf_throw: the exception callback's r0, or the cookie (the verifier's default callback).
      const cb = exceptionCallbackOf(env, current.entry);
      const c = cb === undefined ? undefined : vm.run({ entry: cb, args: [cookie] });
      if (c) state.instructions += c.instructions;
      if (c && !c.ok) {
        state.fault = c.fault;
        return false;
      }
      state.ret = Number(BigInt.asUintN(32, c ? c.r0 : cookie));
      state.last = current;
      return true;
    }
    const next = takeNext();
    if (next === undefined) {
      state.fault = vm.fault();
      state.last = current;
      return false;
    }
    current = next;
    const ok = vm.runFast(current.entry, 0, ctxHi, zeroStack);
    state.instructions += vm.count;
    if (ok) {
      state.ret = vm.U32[0]!;
      state.last = current;
      return true;
    }
  }
}

/** Per return enum (stdlib CONSTANTS group): value -> the constant's name, built on first use. */
const ACTION_NAMES = new Map<string, Map<number, string>>();

/** The return value's constant name in the section's return enum (XdpAction.DROP -> XDP_DROP). */
export function actionName(prog: LoadedProgram, r0: bigint): string | undefined {
  if (!prog.returns) return undefined;
  let names = ACTION_NAMES.get(prog.returns);
  if (names === undefined) {
    names = new Map();
    for (const [name, c] of Object.entries(CONSTANTS)) {
      if (c.group !== prog.returns || names.has(c.value)) continue;
      const dot = name.indexOf(".");
      names.set(c.value, dot < 0 ? name : `XDP_${name.slice(dot + 1)}`);
    }
    ACTION_NAMES.set(prog.returns, names);
  }
  return names.get(Number(BigInt.asIntN(32, r0)));
}

function contextFields(run: RunContext): Record<string, bigint | bigint[]> {
  const out: Record<string, bigint | bigint[]> = {};
  const skip = new Set(["data", "data_end", "data_meta", "sk", "flow_keys"]);
  const struct = run.ctx.struct;
  for (const name of struct === "xdp_md"
    ? ["ingress_ifindex", "rx_queue_index", "egress_ifindex"]
    : [
        "len",
        "mark",
        "priority",
        "protocol",
        "pkt_type",
        "ifindex",
        "ingress_ifindex",
        "tc_index",
        "tc_classid",
        "queue_mapping",
        "hash",
        "tstamp",
      ]) {
    if (!skip.has(name)) out[name] = run.ctx.get(name);
  }
  if (struct === "__sk_buff") out.cb = [0, 1, 2, 3, 4].map((i) => run.ctx.get(`cb[${i}]`));
  return out;
}

/**
 * Fire the object's armed BPF timers whose expiry has passed on the clock
 * (runtime/helpers/timer.ts), as the hrtimer softirq would, on `cpu`: each
 * callback runs as a program of its own (map, key, value), with no packet
 * or context. Returns how many callbacks ran; a fault in one is thrown.
 */
export function runTimers(obj: LoadedObject, services: RunServices, cpu = 0): number {
  const { vm, maps } = obj;
  const exposed: number[] = [];
  const none = (what: string) => () => {
    throw new VmError("helper", `a timer callback has no ${what}`);
  };
  const env = {
    vm,
    progType: "xdp",
    program: "timer callback",
    get packet(): never {
      return none("packet")();
    },
    get ctx(): never {
      return none("context")();
    },
    maps,
    clock: services.clock,
    random: services.random,
    log: [],
    redirect: undefined,
    cpus: obj.mapEnv.cpus,
    tailCalls: [],
    expose(kind: RegionKind, bytes: Uint8Array, name: string, readOnly?: boolean): Pointer {
      const r = vm.mem.addRegion(kind, bytes, { name, readOnly: readOnly ?? false });
      exposed.push(r.slot);
      return r.ptr;
    },
    tailCall: none("tail calls"),
  } as RunEnv;
  obj.mapEnv.cpus.current = cpu;
  obj.current.env = env;
  try {
    return runDueTimers(env);
  } finally {
    obj.current.env = undefined;
    maps.endRun();
    for (const slot of exposed) {
      const r = vm.mem.regions[slot];
      if (r) vm.mem.removeRegion(r);
    }
  }
}
