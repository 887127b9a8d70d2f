// The interpreter's public contract: options, callbacks for the pieces
// other engineers fill in (helpers, kfuncs, lddw pseudo resolution), the
// run result and the fault type. Nothing here executes instructions.

import type { Instruction } from "../../bpf/isa/index.js";
import type { Memory, Region } from "./memory.js";

/** A 64-bit value as the program sees it: unsigned, 0 <= v < 2^64. */
export type Pointer = bigint;

/** The VM as callbacks see it: memory, registers, nested calls. */
export interface VmHandle {
  readonly mem: Memory;
  /**
   * Read a register (unsigned 64-bit). In a helper call only r1-r5, the
   * arguments, are current: translated code writes back just those first.
   */
  reg(n: number): bigint;
  /**
   * Call a BPF subprogram (a code pointer from `lddw rX, func` or a slot
   * index) with up to five arguments, for callback helpers like bpf_loop.
   * Runs on fresh frames above the caller's; returns the callee's r0.
   */
  callFunction(target: Pointer | number, args: readonly bigint[]): bigint;
  /** How many callFunction calls are running (0 in the program's own frames). */
  readonly callbackDepth: number;
  /**
   * The register file as 32-bit words (rN's low word at 2N, high word at
   * 2N+1): what a RegisterHelperFn reads its arguments from.
   */
  readonly U32: Uint32Array;
}

/** A helper (`call imm`, src 0): arguments r1..r5, returns r0. */
export type HelperFn = (
  vm: VmHandle,
  r1: bigint,
  r2: bigint,
  r3: bigint,
  r4: bigint,
  r5: bigint,
) => bigint;

/**
 * A helper that reads its arguments from the register file itself
 * (`vm.U32`), so a call makes no BigInt: marked by `registers: true`.
 * Returns r0: a safe integer, taken modulo 2^64 (so -errno needs no
 * BigInt), or a bigint, or undefined after writing r0 itself (a pointer,
 * whose number would be a heap number).
 */
export interface RegisterHelperFn {
  /** undefined: the helper wrote r0's halves into `U32[0]` and `U32[1]` itself. */
  (vm: VmHandle): bigint | number | undefined;
  readonly registers: true;
  /**
   * A fresh function for one call site of translated code, with the same
   * results and faults, that may cache what that site sees from call to call
   * (runtime/translate/helper-site.ts).
   */
  readonly site?: () => RegisterHelperFn;
}

/** What a helper or kfunc table holds. */
export type AnyHelperFn = HelperFn | RegisterHelperFn;

export function isRegisterHelper(fn: AnyHelperFn): fn is RegisterHelperFn {
  return (fn as Partial<RegisterHelperFn>).registers === true;
}

/** A kfunc (`call imm`, src 2, imm = BTF id): same shape as a helper. */
export type KfuncFn = AnyHelperFn;

/**
 * Resolves an `lddw` whose src names a pseudo kind (map fd, map value,
 * BTF id, map index...): gets the raw fields and returns the 64-bit value
 * the program should see (usually a Pointer into a region the resolver
 * registered with `vm.mem.addRegion`). Called once per instruction, on its
 * first execution; the answer is cached. Throwing or returning undefined
 * makes that instruction fault. LdImm64Src.FUNC is resolved by the VM itself
 * (a code pointer) unless this resolver answers it.
 */
export type LdImm64Resolver = (
  src: number,
  imm: number,
  nextImm: number,
  vm: VmHandle,
) => Pointer | undefined;

export interface VmOptions {
  /** Raw little-endian instruction slots, or decoded instructions (labels resolved). */
  code: Uint8Array | readonly Instruction[];
  helpers?: ReadonlyMap<number, AnyHelperFn>;
  kfuncs?: ReadonlyMap<number, KfuncFn>;
  ldImm64Resolver?: LdImm64Resolver;
  /** Maximum instructions per run before a budget fault. Default 1e8. */
  budget?: number;
  /**
   * Which engine runs the code: "interpret" (the reference interpreter, the
   * default) or "translate" (BPF translated to a JavaScript function on the
   * first run; same results, faults and instruction counts, several times
   * faster on hot code) or "auto" (interpret, translate once hot). Default:
   * the process-wide default, see setDefaultTier.
   */
  tier?: VmTier;
}

/**
 * "interpret": the reference interpreter; "translate": BPF translated to
 * JavaScript on the first run; "auto": interpreted until the code has run
 * a couple of hundred thousand instructions, then translated (what
 * loadObject uses: tests that run a program a few times pay no
 * translation, hot programs get the fast tier).
 */
export type VmTier = "interpret" | "translate" | "auto";

export interface RunOptions {
  /** Slot index to start at (a program function inside a section). Default 0. */
  entry?: number;
  /** r1..r5 on entry (missing ones are 0). */
  args?: readonly bigint[];
}

export type FaultKind =
  | "load" // code could not be loaded (size, encoding)
  | "invalid" // an instruction the ISA does not define
  | "memory" // out of bounds, unmapped, read-only
  | "call" // unknown helper/kfunc, bad call target, call depth
  | "budget" // instruction budget exhausted
  | "helper"; // a helper or kfunc threw

export interface VmFault {
  kind: FaultKind;
  /** Slot index of the faulting instruction (-1 when none, e.g. a load error). */
  pc: number;
  /** Its disassembly. */
  insn: string;
  /** The region involved, for memory faults: its name. */
  region?: string;
  message: string;
}

export type RunResult =
  | { ok: true; r0: bigint; instructions: number }
  | { ok: false; fault: VmFault; instructions: number };

/**
 * Thrown inside the runtime (memory accessors, helper plumbing) and turned
 * into a `{ ok: false }` result by `run()`; never escapes it. Helpers may
 * throw it too (e.g. `new VmError("memory", "...")`).
 */
export class VmError extends Error {
  override readonly name = "VmError";
  constructor(
    readonly kind: FaultKind,
    message: string,
    readonly region?: Region,
    /** Set when the thrower knows the instruction (the interpreter does). */
    public pc = -1,
  ) {
    // Faults are ordinary outcomes here (the fuzz test makes 100,000), and a
    // stack trace is both costly and meaningless to the BPF program's author.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

export const STACK_SIZE = 512;
/** Frames in use at once, main included (Linux MAX_CALL_FRAMES). */
export const MAX_CALL_FRAMES = 8;
export const DEFAULT_BUDGET = 100_000_000;
/** Linux's may_goto budget per program run (BPF_MAX_LOOPS). */
export const MAY_GOTO_BUDGET = 8 * 1024 * 1024;
