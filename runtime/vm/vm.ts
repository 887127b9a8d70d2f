// The VM object: register file, call frames, memory and the run() entry
// point that turns every fault (and any exception a callback throws) into
// a `{ ok: false }` result. `createVm` is the public constructor.

import { describeSlot } from "./describe.js";
import { execute } from "./interpreter.js";
import { CODE_HI, Memory, REGION_HI, codePtr } from "./memory.js";
import { enterFrame } from "./ops.js";
import { predecode, type Program } from "./program.js";
import { translate, type Translated } from "../translate/compile.js";
import {
  DEFAULT_BUDGET,
  MAX_CALL_FRAMES,
  MAY_GOTO_BUDGET,
  STACK_SIZE,
  VmError,
  type HelperFn,
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

const NO_FUNCTIONS: ReadonlyMap<number, HelperFn> = new Map();

const NO_OPTIONS: RunOptions = {};

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
  readonly helpers: ReadonlyMap<number, HelperFn>;
  readonly kfuncs: ReadonlyMap<number, KfuncFn>;
  readonly ldImm64Resolver: LdImm64Resolver | undefined;
  budget: number;
  readonly tier: VmTier;
  /** The translated function (translate tier), made on the first run. */
  private translated: Translated | undefined;
  /** Slots the translated function was asked to start at that were not block starts. */
  private readonly extraStarts: number[] = [];

  /** r0..r10 (16 slots so any 4-bit field indexes safely), four views of one buffer. */
  readonly U64 = new BigUint64Array(16);
  readonly I64 = new BigInt64Array(this.U64.buffer);
  readonly U32 = new Uint32Array(this.U64.buffer);
  readonly I32 = new Int32Array(this.U64.buffer);

  /** Instructions executed in the current run. */
  count = 0;
  /** Current frame (0 = the entry function). */
  depth = 0;
  /** Per frame: the caller's r6-r9, the return slot, may_goto's remaining budget. */
  readonly saved = new BigUint64Array(MAX_CALL_FRAMES * 4);
  readonly retPc = new Int32Array(MAX_CALL_FRAMES);
  readonly mayGoto = new Int32Array(MAX_CALL_FRAMES);

  constructor(options: VmOptions) {
    this.program = predecode(options.code);
    this.helpers = options.helpers ?? NO_FUNCTIONS;
    this.kfuncs = options.kfuncs ?? NO_FUNCTIONS;
    this.ldImm64Resolver = options.ldImm64Resolver;
    this.budget = options.budget ?? DEFAULT_BUDGET;
    this.tier = options.tier ?? defaultTier;
  }

  /** Run from slot `entry` until the frame at `base` exits, on this VM's tier. */
  private execute(entry: number, base: number): void {
    if (this.tier === "interpret") {
      execute(this, entry, base);
      return;
    }
    let pc = entry;
    for (;;) {
      this.translated ??= translate(this.program, this.extraStarts);
      pc = this.translated(this, pc, base);
      if (pc < 0) return;
      // A dynamic target (entry, callx) inside a block: retranslate with it
      // as a block start and carry on from there (the state is in the VM).
      this.extraStarts.push(pc);
      this.translated = translate(this.program, this.extraStarts);
    }
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
    this.count = 0;
    this.depth = 0;
    this.U64.fill(0n);
    // A plain loop: no per-run array or closure (runs should not allocate).
    const args = options.args;
    if (args !== undefined) {
      // A BigUint64Array store wraps modulo 2^64 by itself (no BigInt.asUintN copy).
      for (let k = 0; k < args.length && k < 5; k++) this.U64[k + 1] = args[k]!;
    }
    this.U32[20] = STACK_SIZE;
    this.U32[21] = REGION_HI;
    this.mem.freshFrame(0);
    this.mayGoto[0] = MAY_GOTO_BUDGET;
    const p = this.program;
    if (p.loadError !== undefined) return this.failure(new VmError("load", p.loadError));
    if (!Number.isInteger(entry) || entry < 0 || entry >= p.n) {
      return this.failure(new VmError("call", `entry slot ${entry} is outside the code`));
    }
    try {
      this.execute(entry, 0);
      return { ok: true, r0: this.U64[0]!, instructions: this.count };
    } catch (e) {
      return this.failure(e);
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
    try {
      args.slice(0, 5).forEach((v, k) => (this.U64[k + 1] = BigInt.asUintN(64, v)));
      const entry = enterFrame(this, -1, slot);
      this.execute(entry, depth + 1);
      return this.U64[0]!;
    } finally {
      this.U64.set(regs);
      this.depth = depth;
    }
  }

  private failure(e: unknown): RunResult {
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
    return { ok: false, fault, instructions: this.count };
  }
}

/** Create a VM for one program; never throws (bad code faults on run()). */
export function createVm(options: VmOptions): Vm {
  return new Vm(options);
}
