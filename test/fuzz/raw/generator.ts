// Random XDP programs the verifier accepts by construction. Invariants the
// items keep: r6 = ctx, r7 = data, r8 = data_end are never written by ALU
// code; every other register is an initialised scalar at every item
// boundary (calls reset r1-r5 after themselves); fp-64..fp-1 is an
// initialised scratch area, fp-72 the map key, fp-136..fp-80 the register
// save area of the epilogue; jumps only go forward to label items, except
// the bounded loop item's own back edge. The epilogue stores every scalar
// register into map slot 5, so a wrong 64-bit result shows even when r0
// does not carry it.

import {
  AluOp,
  Atomic,
  AtomicOp,
  Bswap,
  Call,
  Exit,
  InsnClass,
  JmpOp,
  Jeq,
  Jgt,
  Jlt,
  LoadImm64,
  LoadMapPtr,
  LoadMem,
  LoadMemSx,
  MovSx32,
  MovSx64,
  Mov32,
  Mov64,
  Add64,
  And64,
  Reg,
  SIGNED_DIVMOD_OFF,
  Source,
  StoreImm,
  StoreMem,
  ToBe,
  ToLe,
  label,
  type Instruction,
} from "../../../bpf/isa/index.js";
import { Rng, interesting32, interesting64 } from "../rng.js";
import { MAP_ENTRIES, type Item, type RawProgram } from "./program.js";

const { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 } = Reg;
const SCALARS: readonly Reg[] = [R0, R1, R2, R3, R4, R5, R9];
const SCRATCH = -64;
const KEY = -72;
const SAVE = -136;
const HELPER_MAP_LOOKUP = 1;
const HELPER_MAP_UPDATE = 2;
const HELPER_XDP_ADJUST_HEAD = 44;
const HELPER_SMP_PROCESSOR_ID = 8;
const HELPER_XDP_ADJUST_TAIL = 65;
const HELPER_XDP_GET_BUFF_LEN = 188;
const HELPER_XDP_LOAD_BYTES = 189;
const HELPER_XDP_STORE_BYTES = 190;

export interface GenOptions {
  /** Body items (before labels and the epilogue). */
  minItems?: number;
  maxItems?: number;
  /** Cap on items that fork the verifier's paths (branches, guards, null checks). */
  maxBranches?: number;
}

const ALU_OPS: readonly (readonly [number, AluOp, number])[] = [
  [6, AluOp.ADD, 0],
  [6, AluOp.SUB, 0],
  [5, AluOp.MUL, 0],
  [4, AluOp.DIV, 0],
  [4, AluOp.DIV, SIGNED_DIVMOD_OFF],
  [4, AluOp.MOD, 0],
  [4, AluOp.MOD, SIGNED_DIVMOD_OFF],
  [4, AluOp.OR, 0],
  [4, AluOp.AND, 0],
  [4, AluOp.XOR, 0],
  [5, AluOp.LSH, 0],
  [5, AluOp.RSH, 0],
  [5, AluOp.ARSH, 0],
  [3, AluOp.MOV, 0],
  [2, AluOp.NEG, 0],
];

const JMP_OPS = [
  JmpOp.JEQ,
  JmpOp.JNE,
  JmpOp.JGT,
  JmpOp.JGE,
  JmpOp.JLT,
  JmpOp.JLE,
  JmpOp.JSGT,
  JmpOp.JSGE,
  JmpOp.JSLT,
  JmpOp.JSLE,
  JmpOp.JSET,
] as const;

const ATOMIC_OPS = [
  AtomicOp.ADD,
  AtomicOp.OR,
  AtomicOp.AND,
  AtomicOp.XOR,
  AtomicOp.FETCH_ADD,
  AtomicOp.FETCH_OR,
  AtomicOp.FETCH_AND,
  AtomicOp.FETCH_XOR,
  AtomicOp.XCHG,
  AtomicOp.CMPXCHG,
] as const;

class Gen {
  private labels = 0;
  private branches = 0;
  constructor(
    private readonly rng: Rng,
    private readonly maxBranches: number,
  ) {}

  fresh(tag: string): string {
    return `${tag}${this.labels++}`;
  }
  scalar(except: readonly Reg[] = []): Reg {
    return this.rng.pick(SCALARS.filter((r) => !except.includes(r)));
  }
  init(r: Reg): Instruction {
    const v = interesting64(this.rng);
    if (v < 0x8000_0000n || v >= 0xffff_ffff_8000_0000n) {
      return Mov64.imm(r, Number(BigInt.asIntN(32, v)));
    }
    return LoadImm64(r, v);
  }

  prologue(): Item {
    const insns = [Mov64.reg(R6, R1), LoadMem(4, R7, R6, 0), LoadMem(4, R8, R6, 4)];
    for (const r of SCALARS) insns.push(this.init(r));
    for (let off = SCRATCH; off < 0; off += 8) {
      if (this.rng.chance(0.5)) insns.push(StoreImm(8, R10, off, interesting32(this.rng)));
      else insns.push(StoreMem(8, R10, off, this.scalar()));
    }
    return { kind: "prologue", insns };
  }

  alu(dst = this.scalar(), avoid: readonly Reg[] = []): Instruction {
    const rng = this.rng;
    const r = rng.int(100);
    const src = () => this.scalar(avoid);
    if (r < 5)
      return rng.chance(0.5)
        ? MovSx64(dst, src(), rng.pick([8, 16, 32] as const))
        : MovSx32(dst, src(), rng.pick([8, 16] as const));
    if (r < 10) {
      const bits = rng.pick([16, 32, 64] as const);
      return rng.pick([ToBe, ToLe, Bswap])(dst, bits);
    }
    if (r < 13) return this.init(dst);
    const cls = rng.chance(0.5) ? InsnClass.ALU64 : InsnClass.ALU;
    const width = cls === InsnClass.ALU64 ? 64 : 32;
    const [op, off] = (([, o, f]) => [o, f] as const)(pickWeighted(rng, ALU_OPS));
    if (op === AluOp.NEG) return { opcode: cls | op, dst, src: 0, off: 0, imm: 0 };
    if (rng.chance(0.5)) {
      return { opcode: cls | op | Source.X, dst, src: src(), off, imm: 0 };
    }
    let imm = interesting32(rng);
    if (op === AluOp.LSH || op === AluOp.RSH || op === AluOp.ARSH) imm = rng.int(width);
    if ((op === AluOp.DIV || op === AluOp.MOD) && imm === 0) imm = rng.pick([1, -1, 3, 7]);
    return { opcode: cls | op | Source.K, dst, src: 0, off, imm };
  }

  /** A conditional forward jump; the caller places its target label later. */
  jump(target: string): Instruction {
    const rng = this.rng;
    const cls = rng.chance(0.5) ? InsnClass.JMP : InsnClass.JMP32;
    const op = rng.pick(JMP_OPS);
    const dst = this.scalar();
    if (rng.chance(0.5)) {
      return { opcode: cls | op | Source.X, dst, src: this.scalar(), off: 0, imm: 0, target };
    }
    return { opcode: cls | op | Source.K, dst, src: 0, off: 0, imm: interesting32(rng), target };
  }

  stack(): Item {
    const rng = this.rng;
    const size = rng.pick([1, 2, 4, 8] as const);
    const off = SCRATCH + size * rng.int(-SCRATCH / size);
    const r = rng.int(5);
    let insn: Instruction;
    if (r === 0) insn = StoreImm(size, R10, off, interesting32(rng));
    else if (r === 1) insn = StoreMem(size, R10, off, this.scalar());
    else if (r === 2 && size !== 8) insn = LoadMemSx(size, this.scalar(), R10, off);
    else insn = LoadMem(size, this.scalar(), R10, off);
    return { kind: "stack", insns: [insn] };
  }

  /**
   * One atomic instruction; a 32-bit cmpxchg is followed by `w0 = w0`. The
   * ISA zero-extends the old value it loads into r0, and the kernel's
   * verifier inserts that zero-extension (x86-64's `lock cmpxchg` leaves
   * RAX's upper half alone when the comparison succeeds) only when it sees
   * r0 read as 64 bits afterwards on a path it explored. When that read is
   * on a path pruned against an earlier state, no zero-extension is
   * inserted and the JIT keeps r0's old upper half
   * (regressions/raw/raw-e6283e972d89.json): the program's result then
   * depends on the verifier's pruning, which the interpreter cannot follow.
   * The explicit zero-extension makes such programs mean one thing. No
   * random draw is added, so a seed's stream is unchanged otherwise.
   */
  atomic(base: Reg, lo: number, slots: number, avoid: readonly Reg[]): Instruction[] {
    const rng = this.rng;
    const size = rng.pick([4, 8] as const);
    const off = lo + size * rng.int((slots * 8) / size);
    const op = rng.pick(
      base === R0 ? ATOMIC_OPS.filter((o) => o !== AtomicOp.CMPXCHG) : ATOMIC_OPS,
    );
    const insn = Atomic(size, op, base, off, this.scalar(avoid));
    return op === AtomicOp.CMPXCHG && size === 4 ? [insn, Mov32.reg(R0, R0)] : [insn];
  }

  /** `if (data + n > data_end) skip; accesses at data + [0, n)`. */
  packet(): Item {
    const rng = this.rng;
    const tmp = this.scalar();
    const n = rng.range(1, 64);
    const skip = this.fresh("pkt");
    const insns = [Mov64.reg(tmp, R7), Add64.imm(tmp, n), Jgt.reg(tmp, R8, skip)];
    for (let k = rng.range(1, 4); k > 0; k--) {
      const size = rng.pick(([1, 2, 4, 8] as const).filter((s) => s <= n));
      const off = rng.int(n - size + 1);
      const r = rng.int(6);
      if (r === 0) insns.push(StoreImm(size, R7, off, interesting32(rng)));
      else if (r === 1) insns.push(StoreMem(size, R7, off, this.scalar([tmp])));
      else if (r === 2 && size !== 8) insns.push(LoadMemSx(size, this.scalar([tmp]), R7, off));
      else if (r === 3) insns.push(this.alu(this.scalar([tmp]), [tmp]));
      else insns.push(LoadMem(size, this.scalar([tmp]), R7, off));
    }
    insns.push(label(skip, this.init(tmp)));
    return { kind: "packet", insns };
  }

  /** `key = reg & 7; v = lookup(map, &key); if (v) { accesses to *v }`. */
  mapLookup(): Item {
    const rng = this.rng;
    const skip = this.fresh("map");
    const insns = this.keyFromReg();
    insns.push(LoadMapPtr(R1, "MAP"), Mov64.reg(R2, R10), Add64.imm(R2, KEY));
    insns.push(Call(HELPER_MAP_LOOKUP));
    for (const r of [R1, R2, R3, R4, R5]) insns.push(this.init(r));
    insns.push(Jeq.imm(R0, 0, skip));
    for (let k = rng.range(1, 4); k > 0; k--) {
      const size = rng.pick([1, 2, 4, 8] as const);
      const off = size * rng.int(64 / size);
      const r = rng.int(5);
      if (r === 0) insns.push(StoreMem(size, R0, off, this.scalar([R0])));
      else if (r === 1) insns.push(StoreImm(size, R0, off, interesting32(rng)));
      else if (r === 2) insns.push(...this.atomic(R0, 0, 8, [R0]));
      else insns.push(LoadMem(size, this.scalar([R0]), R0, off));
    }
    insns.push(label(skip, this.init(R0)));
    return { kind: "map-lookup", insns };
  }

  /** `key = reg & 7; r0 = update(map, &key, fp-64, 0)`: the scratch area becomes a map value. */
  mapUpdate(): Item {
    const insns = this.keyFromReg();
    insns.push(LoadMapPtr(R1, "MAP"), Mov64.reg(R2, R10), Add64.imm(R2, KEY));
    insns.push(Mov64.reg(R3, R10), Add64.imm(R3, SCRATCH), Mov64.imm(R4, 0));
    insns.push(Call(HELPER_MAP_UPDATE));
    for (const r of [R1, R2, R3, R4, R5]) insns.push(this.init(r));
    return { kind: "map-update", insns };
  }

  keyFromReg(): Instruction[] {
    return [Mov64.reg(R1, this.scalar()), And64.imm(R1, 7), StoreMem(4, R10, KEY, R1)];
  }

  /** bpf_xdp_adjust_head by a small delta; data and data_end are reloaded after. */
  adjustHead(): Item {
    const insns = [Mov64.reg(R1, R6), Mov64.imm(R2, this.rng.range(-40, 40))];
    insns.push(Call(HELPER_XDP_ADJUST_HEAD), LoadMem(4, R7, R6, 0), LoadMem(4, R8, R6, 4));
    for (const r of [R1, R2, R3, R4, R5]) insns.push(this.init(r));
    return { kind: "adjust-head", insns };
  }

  /**
   * A packet helper whose answer depends on the packet: adjust_tail (data_end
   * reloaded after), get_buff_len, load_bytes/store_bytes between the packet
   * and the scratch area at an offset computed at run time, or the CPU id.
   */
  packetHelper(): Item {
    const rng = this.rng;
    const insns: Instruction[] = [];
    const which = rng.int(5);
    const offsetFromReg = () => [
      Mov64.reg(R2, this.scalar()),
      And64.imm(R2, rng.pick([15, 63, 127, 255])),
    ];
    if (which === 0) {
      insns.push(
        Mov64.reg(R1, R6),
        Mov64.imm(R2, rng.range(-64, 32)),
        Call(HELPER_XDP_ADJUST_TAIL),
      );
      insns.push(LoadMem(4, R7, R6, 0), LoadMem(4, R8, R6, 4));
    } else if (which === 1) {
      insns.push(Mov64.reg(R1, R6), Call(HELPER_XDP_GET_BUFF_LEN));
    } else if (which === 2 || which === 3) {
      insns.push(...offsetFromReg(), Mov64.reg(R1, R6), Mov64.reg(R3, R10), Add64.imm(R3, SCRATCH));
      insns.push(Mov64.imm(R4, rng.range(1, 64)));
      insns.push(Call(which === 2 ? HELPER_XDP_LOAD_BYTES : HELPER_XDP_STORE_BYTES));
    } else {
      insns.push(Call(HELPER_SMP_PROCESSOR_ID));
    }
    for (const r of [R1, R2, R3, R4, R5]) insns.push(this.init(r));
    return { kind: "packet-helper", insns };
  }

  /** Load-acquire / store-release on the scratch area (cpu v4, Linux 6.15). */
  acquireRelease(): Item {
    const rng = this.rng;
    const size = rng.pick([1, 2, 4, 8] as const);
    const off = SCRATCH + size * rng.int(-SCRATCH / size);
    if (rng.chance(0.5))
      return {
        kind: "load-acquire",
        insns: [Atomic(size, AtomicOp.LOAD_ACQ, this.scalar(), off, R10)],
      };
    return {
      kind: "store-release",
      insns: [Atomic(size, AtomicOp.STORE_REL, R10, off, this.scalar())],
    };
  }

  /** `for (r9 = 0; r9 < k; r9++) { alu... }`: a bounded loop the verifier unrolls. */
  loop(): Item {
    const head = this.fresh("loop");
    const insns = [Mov64.imm(R9, 0)];
    const body = [];
    for (let k = this.rng.range(1, 5); k > 0; k--) body.push(this.alu(this.scalar([R9]), [R9]));
    body[0] = label(head, body[0]!);
    insns.push(...body, Add64.imm(R9, 1), Jlt.imm(R9, this.rng.range(1, 6), head), this.init(R9));
    return { kind: "loop", insns };
  }

  /** Stores every scalar into map slot 5, then returns one of them (maybe as an XDP action). */
  epilogue(): Item {
    const fin = this.fresh("fin");
    const insns: Instruction[] = SCALARS.map((r, i) => StoreMem(8, R10, SAVE + 8 * i, r));
    insns.push(StoreImm(4, R10, KEY, MAP_ENTRIES - 1), LoadMapPtr(R1, "MAP"));
    insns.push(
      Mov64.reg(R2, R10),
      Add64.imm(R2, KEY),
      Call(HELPER_MAP_LOOKUP),
      Jeq.imm(R0, 0, fin),
    );
    SCALARS.forEach((_, i) => {
      insns.push(LoadMem(8, R1, R10, SAVE + 8 * i), StoreMem(8, R0, 8 * i, R1));
    });
    const ret = this.rng.int(SCALARS.length);
    insns.push(label(fin, LoadMem(8, R0, R10, SAVE + 8 * ret)));
    if (this.rng.chance(0.3)) insns.push(And64.imm(R0, 3));
    insns.push(Exit());
    return { kind: "epilogue", insns };
  }

  body(n: number): Item[] {
    const rng = this.rng;
    const items: Item[] = [];
    const jumps: { at: number; target: string }[] = [];
    for (let i = 0; i < n; i++) {
      const canBranch = this.branches < this.maxBranches;
      const what = rng.weighted<string>([
        [40, "alu"],
        [10, "stack"],
        [4, "atomic"],
        [canBranch ? 8 : 0, "jump"],
        [canBranch ? 6 : 0, "packet"],
        [canBranch ? 4 : 0, "map-lookup"],
        [2, "map-update"],
        [1, "adjust-head"],
        [3, "packet-helper"],
        [2, "acquire-release"],
        [canBranch ? 2 : 0, "loop"],
      ]);
      if (["jump", "packet", "map-lookup", "loop"].includes(what)) this.branches++;
      switch (what) {
        case "alu":
          items.push({ kind: "alu", insns: [this.alu()] });
          break;
        case "stack":
          items.push(this.stack());
          break;
        case "atomic":
          items.push({ kind: "atomic", insns: this.atomic(R10, SCRATCH, 8, []) });
          break;
        case "jump": {
          const target = this.fresh("j");
          jumps.push({ at: items.length, target });
          items.push({ kind: "jump", insns: [this.jump(target)] });
          break;
        }
        case "packet":
          items.push(this.packet());
          break;
        case "map-lookup":
          items.push(this.mapLookup());
          break;
        case "map-update":
          items.push(this.mapUpdate());
          break;
        case "adjust-head":
          items.push(this.adjustHead());
          break;
        case "packet-helper":
          items.push(this.packetHelper());
          break;
        case "acquire-release":
          items.push(this.acquireRelease());
          break;
        case "loop":
          items.push(this.loop());
          break;
      }
    }
    // Each jump lands just before a later item (or the epilogue): forward only.
    const labelsAt = new Map<number, string[]>();
    for (const j of jumps) {
      const to = rng.range(j.at + 1, Math.min(items.length, j.at + 12));
      labelsAt.set(to, [...(labelsAt.get(to) ?? []), j.target]);
    }
    const out: Item[] = [];
    for (let i = 0; i <= items.length; i++) {
      for (const l of labelsAt.get(i) ?? []) out.push({ kind: "label", insns: [], label: l });
      if (i < items.length) out.push(items[i]!);
    }
    return out;
  }
}

function pickWeighted<T extends readonly [number, ...unknown[]]>(rng: Rng, table: readonly T[]): T {
  return rng.weighted(table.map((row) => [row[0], row] as const));
}

/** Replaces the "MAP" placeholder of map loads with the program's map name. */
function bindMap(items: Item[], map: string): Item[] {
  for (const item of items) {
    for (const insn of item.insns)
      if (insn.reloc?.kind === "map") insn.reloc = { kind: "map", symbol: map };
  }
  return items;
}

/** One random program named `name` using array map `map`. */
export function generateProgram(
  rng: Rng,
  name: string,
  map: string,
  opts: GenOptions = {},
): RawProgram {
  const g = new Gen(rng, opts.maxBranches ?? 8);
  const n = rng.range(opts.minItems ?? 10, opts.maxItems ?? 60);
  const items = [g.prologue(), ...g.body(n), g.epilogue()];
  return { name, map, items: bindMap(items, map) };
}

/** A random packet: 14..200 bytes (an Ethernet header's worth at least, as XDP test_run wants). */
export function randomPacket(rng: Rng): Uint8Array {
  return rng.bytes(rng.range(14, 200));
}
