// The VM object: register file, call frames, memory and the run() entry
// point that turns every fault (and any exception a callback throws) into
// a `{ ok: false }` result. `createVm` is the public constructor.

import { describeSlot } from "./describe.js";
import { execute, warmInterpreter } from "./interpreter.js";
import { CODE_HI, Memory, REGION_HI, codePtr } from "./memory.js";
import { enterFrame } from "./ops.js";
import { CELLS_CODE, predecode, type Program } from "./program.js";
import { translate, type Translated } from "../translate/compile.js";
import {
  DEFAULT_BUDGET,
  MAX_CALL_FRAMES,
  MAY_GOTO_BUDGET,
  STACK_SIZE,
  VmError,
  type AnyHelperFn,
  type KfuncFn,
  type LdImm64Resolver,
  type Pointer,
  type RunOptions,
  type RunResult,
  type VmFault,
  type VmHandle,
  type VmOptions,
  type VmTier,
} from "./types.js";

const NO_FUNCTIONS: ReadonlyMap<number, AnyHelperFn> = new Map();

const NO_OPTIONS: RunOptions = {};

// Local copies: under tsx and vitest an imported binding is a getter call per read.
const STACK_SIZE_ = STACK_SIZE;
const REGION_HI_ = REGION_HI;
const MAY_GOTO_BUDGET_ = MAY_GOTO_BUDGET;

/**
 * The "auto" tier translates a program once it has run this many
 * instructions: a few thousand packets of a typical program. Translation
 * costs about a millisecond; a program run a handful of times (most tests)
 * never pays it.
 */
const AUTO_TRANSLATE_AFTER = 200_000;

/** Calls of a new translated function on its no-op path (see Vm.warm). */
const WARM_CALLS = 40;

let defaultTier: VmTier = "interpret";

/**
 * The tier createVm uses when its options name none. For tests and
 * benchmarks that run a whole suite through the translating tier; programs
 * should pass `tier` to createVm instead.
 */
export function setDefaultTier(tier: VmTier): void {
  defaultTier = tier;
}

export class Vm implements VmHandle {
  readonly program: Program;
  readonly mem = new Memory();
  readonly helpers: ReadonlyMap<number, AnyHelperFn>;
  readonly kfuncs: ReadonlyMap<number, KfuncFn>;
  readonly ldImm64Resolver: LdImm64Resolver | undefined;
  budget: number;
  readonly tier: VmTier;
  /** What runs the code now: the tier, or for "auto" the interpreter until the code is hot. */
  private engine: "interpret" | "translate";
  /** "auto": instructions run so far (only counted until the switch). */
  private executed = 0;
  /** The exception that ended the last runFast() that returned false. */
  lastError: unknown = undefined;
  /** The translated function (translate tier), made on the first run. */
  private translated: Translated | undefined;
  /** Slots the translated function was asked to start at that were not block starts. */
  private readonly extraStarts: number[] = [];

  /**
   * The registers and the pre-decoded code in one Int32Array: words
   * 0..CELLS_CODE - 1 are r0..r15 as 32-bit halves (the I32 view), the code's
   * words follow (program.ins is a view of them). The interpreter's loop
   * reads both through this one array: node 20's V8 re-checks a typed
   * array's map and reloads its length and data pointer at each access in
   * the loop, so one array instead of two halves that work per dispatch.
   */
  readonly cells: Int32Array;
  /** r0..r10 (16 slots so any 4-bit field indexes safely), views of the cells' first 128 bytes. */
  readonly U64: BigUint64Array;
  readonly I64: BigInt64Array;
  readonly U32: Uint32Array;
  readonly I32: Int32Array;
  private readonly F64: Float64Array;

  /** Instructions executed in the current run. */
  count = 0;
  /** Callbacks (callFunction) running now: bpf_throw is refused inside one. */
  callbackDepth = 0;
  /** Current frame (0 = the entry function). */
  depth = 0;
  /** Per frame: the caller's r6-r9, the return slot, may_goto's remaining budget. */
  readonly saved = new BigUint64Array(MAX_CALL_FRAMES * 4);
  readonly retPc = new Int32Array(MAX_CALL_FRAMES);
  readonly mayGoto = new Int32Array(MAX_CALL_FRAMES);

  constructor(options: VmOptions) {
    const program = predecode(options.code);
    this.cells = new Int32Array(CELLS_CODE + program.ins.length);
    this.cells.set(program.ins, CELLS_CODE);
    this.program = { ...program, ins: this.cells.subarray(CELLS_CODE) };
    const buffer = this.cells.buffer;
    this.U64 = new BigUint64Array(buffer, 0, 16);
    this.I64 = new BigInt64Array(buffer, 0, 16);
    this.U32 = new Uint32Array(buffer, 0, 32);
    this.I32 = new Int32Array(buffer, 0, 32);
    this.F64 = new Float64Array(buffer, 0, 16);
    this.helpers = options.helpers ?? NO_FUNCTIONS;
    this.kfuncs = options.kfuncs ?? NO_FUNCTIONS;
    this.ldImm64Resolver = options.ldImm64Resolver;
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.tier = options.tier ?? defaultTier;
    this.engine = this.tier === "translate" ? "translate" : "interpret";
    warmInterpreter(this);
  }

  /** Run from slot `entry` until the frame at `base` exits, on this VM's tier. */
  private execute(entry: number, base: number): void {
    if (this.engine === "interpret") {
      execute(this, entry, base);
      return;
    }
    let pc = entry;
    for (;;) {
      this.translated ??= this.warm(translate(this.program, this.extraStarts));
      pc = this.translated(this, pc, base, 1);
      if (pc < 0) return;
      // A dynamic target (entry, callx) inside a block: retranslate with it
      // as a block start and carry on from there (the state is in the VM).
      this.extraStarts.push(pc);
      this.translated = this.warm(translate(this.program, this.extraStarts));
    }
  }

  /**
   * Give a new translated function type feedback for its entry and exit
   * code before its first real run. V8 allocates a function's feedback
   * vector only after it has run a while, so in a first run that spends its
   * time in one loop the entry loads (vm.I32, ...) were executed without
   * one; the optimized code compiled during that run then deoptimizes at
   * its first instruction on every later call, and the loop runs in
   * on-stack-replacement code with tagged registers (half the speed, or
   * less, depending on the race with the compiler thread). Entering at -1,
   * which is no block, reads the registers and hands them back unchanged.
   */
  private warm(fn: Translated): Translated {
    for (let k = 0; k < WARM_CALLS; k++) fn(this, -1, this.depth, 1);
    return fn;
  }

  /** The "auto" tier: after a run, translate once the code has proved hot. */
  private countTowardsTranslation(): void {
    this.executed += this.count;
    if (this.executed >= AUTO_TRANSLATE_AFTER) this.engine = "translate";
  }

  reg(n: number): bigint {
    return this.U64[n & 15]!;
  }

  /** The value `lddw rX, func` gives for the subprogram at `slot`. */
  codePointer(slot: number): Pointer {
    return codePtr(slot);
  }

  /** Run from `entry` with r1..r5 = args; never throws. */
  run(options: RunOptions = NO_OPTIONS): RunResult {
    const entry = options.entry ?? 0;
    this.reset();
    // A plain loop: no per-run array or closure (runs should not allocate).
    const args = options.args;
    if (args !== undefined) {
      // A BigUint64Array store wraps modulo 2^64 by itself (no BigInt.asUintN copy).
      for (let k = 0; k < args.length && k < 5; k++) this.U64[k + 1] = args[k]!;
    }
    if (this.runFrom(entry)) return { ok: true, r0: this.U64[0]!, instructions: this.count };
    return this.failure(this.lastError);
  }

  /**
   * run() for the per-packet path, allocating nothing: r1 = `r1Hi` << 32 |
   * `r1Lo` (32-bit halves: a BigInt store costs more than the rest of a
   * short run), the others 0. True when the program exited (r0 is `U64[0]`, the count `count`);
   * false when it faulted (`fault()` describes `lastError`). With
   * `zeroStack` false the stack keeps the last run's bytes, as the kernel's
   * does between the repetitions of one BPF_PROG_TEST_RUN (a verified
   * program never reads stack it has not written in the same run).
   */
  runFast(entry: number, r1Lo: number, r1Hi: number, zeroStack = true): boolean {
    this.count = 0;
    this.depth = 0;
    // r0..r10 as 11 float64 stores (all-zero bits): cheaper than U64.fill(0n).
    // r11..r15 are never written (no instruction names them).
    const F64 = this.F64;
    for (let k = 0; k <= 10; k++) F64[k] = 0;
    const U32 = this.U32;
    U32[2] = r1Lo;
    U32[3] = r1Hi;
    U32[20] = STACK_SIZE_;
    U32[21] = REGION_HI_;
    if (zeroStack) this.mem.freshFrame(0);
    this.mayGoto[0] = MAY_GOTO_BUDGET_;
    return this.runFrom(entry);
  }

  /**
   * runFast `repeat` times on the same r1, for BPF_PROG_TEST_RUN's repeat
   * (the stack zeroed before the first run only when `zeroStack`), in one
   * call and one try: the per-run cost is the register reset and the call
   * of the code. Stops after the first run that does not exit (a fault, or
   * an exception a helper threw to unwind: tail call, bpf_throw). Returns
   * how many runs exited; `total` holds the instructions of every run made
   * (the failed one included, which `count` also holds), `exitR0` the low
   * half of r0 at the last exit.
   */
  runRepeat(entry: number, r1Lo: number, r1Hi: number, repeat: number, zeroStack: boolean): number {
    this.total = 0;
    if (repeat <= 0) return 0;
    if (!this.runFast(entry, r1Lo, r1Hi, zeroStack)) {
      this.total = this.count;
      return 0;
    }
    const U32 = this.U32;
    let total = this.count;
    let r0 = U32[0]!;
    let done = 1;
    if (this.engine === "translate" && repeat > 1) {
      // The translated code's own loop: an exit of the entry frame starts
      // the next run inside the function, adding the finished run's
      // instructions to `total`, its r0 to `exitR0` and one to `repeatDone`
      // (see emit-ops.ts exit). A call returns after the last run, or with
      // a slot it has no code for (callx to a dynamic target: execute()
      // retranslates and finishes that run), or throws (a fault).
      const F64 = this.F64;
      let run = (this.translated ??= translate(this.program, this.extraStarts));
      this.total = total;
      this.exitR0 = r0;
      this.repeatDone = done;
      try {
        while (this.repeatDone < repeat) {
          this.count = 0;
          this.depth = 0;
          F64[0] = 0;
          U32[2] = r1Lo;
          U32[3] = r1Hi;
          F64[2] = 0;
          F64[3] = 0;
          F64[4] = 0;
          F64[5] = 0;
          F64[6] = 0;
          F64[7] = 0;
          F64[8] = 0;
          F64[9] = 0;
          U32[20] = STACK_SIZE_;
          U32[21] = REGION_HI_;
          this.mayGoto[0] = MAY_GOTO_BUDGET_;
          const pc = run(this, entry, 0, repeat - this.repeatDone);
          if (pc >= 0) {
            this.execute(pc, 0);
            run = this.translated;
          }
          // The call's last run.
          this.total += this.count;
          this.exitR0 = U32[0]!;
          this.repeatDone++;
        }
      } catch (e) {
        this.lastError = e;
        this.total += this.count;
        return this.repeatDone;
      }
      return repeat;
    }
    for (; done < repeat; done++) {
      const ok = this.runFast(entry, r1Lo, r1Hi, false);
      total += this.count;
      if (!ok) break;
      r0 = U32[0]!;
    }
    this.total = total;
    this.exitR0 = r0;
    return done;
  }

  /** Instructions of every run of the last runRepeat. */
  total = 0;
  /** The low 32 bits of r0 at the last exit of the last runRepeat. */
  exitR0 = 0;
  /** Runs of the current runRepeat that exited (kept by translated code). */
  repeatDone = 0;

  /** The fault of the last run that returned false, as run() reports it. */
  fault(): VmFault {
    return this.describe(this.lastError);
  }

  private reset(): void {
    this.count = 0;
    this.depth = 0;
    this.U64.fill(0n);
    this.U32[20] = STACK_SIZE_;
    this.U32[21] = REGION_HI_;
    this.mem.freshFrame(0);
    this.mayGoto[0] = MAY_GOTO_BUDGET_;
  }

  private runFrom(entry: number): boolean {
    const p = this.program;
    if (p.loadError !== undefined) {
      this.lastError = new VmError("load", p.loadError);
      return false;
    }
    if (!Number.isInteger(entry) || entry < 0 || entry >= p.n) {
      this.lastError = new VmError("call", `entry slot ${entry} is outside the code`);
      return false;
    }
    try {
      this.execute(entry, 0);
      return true;
    } catch (e) {
      this.lastError = e;
      return false;
    } finally {
      if (this.tier === "auto" && this.engine === "interpret") this.countTowardsTranslation();
    }
  }

  callFunction(target: Pointer | number, args: readonly bigint[]): bigint {
    let slot: number;
    if (typeof target === "number") slot = target;
    else if (BigInt.asUintN(64, target) >> 32n === BigInt(CODE_HI))
      slot = Number(target & 0xffffffffn);
    else
      throw new VmError("call", `0x${BigInt.asUintN(64, target).toString(16)} is not a function`);
    // The callee must not disturb the caller's registers or frame.
    const regs = this.U64.slice();
    const depth = this.depth;
    this.callbackDepth++;
    try {
      args.slice(0, 5).forEach((v, k) => (this.U64[k + 1] = BigInt.asUintN(64, v)));
      const entry = enterFrame(this, -1, slot);
      this.execute(entry, depth + 1);
      return this.U64[0]!;
    } finally {
      this.U64.set(regs);
      this.depth = depth;
      this.callbackDepth--;
    }
  }

  private failure(e: unknown): RunResult {
    return { ok: false, fault: this.describe(e), instructions: this.count };
  }

  private describe(e: unknown): VmFault {
    const fault: VmFault =
      e instanceof VmError
        ? {
            kind: e.kind,
            pc: e.pc,
            insn: describeSlot(this.program, e.pc),
            message: e.message,
            ...(e.region ? { region: e.region.name } : {}),
          }
        : {
            kind: "helper",
            pc: -1,
            insn: "",
            message: `internal error: ${e instanceof Error ? e.message : String(e)}`,
          };
    if (fault.pc >= 0) {
      fault.message = `${fault.message} (at ${fault.pc}: ${fault.insn})`;
    }
    return fault;
  }
}

/** Create a VM for one program; never throws (bad code faults on run()). */
export function createVm(options: VmOptions): Vm {
  return new Vm(options);
}
