// What each instruction does to the stack, for packing the frame
// (stack-slots.ts). The stack holds two kinds of objects: those lowering
// reserved (structs, key and value slots, iterators; IrFunction.stackObjects),
// reached only through pointers that start at a `frame` instruction, and the
// 8-byte slots register allocation spills to, reached by `spill`/`reload` at
// their offset. A points-to analysis (flow-insensitive, so safe on a non-SSA
// IR) follows frame pointers through copies, constant adds, spill slots and
// calls, and gives every instruction its accesses: which object, which bytes,
// read or written. An object whose address is stored to memory (or kept by
// a helper, bpf_dynptr_from_mem) can be reached in ways the analysis does not
// follow; it is marked escaped and gets bytes of its own.

import { HELPER_ID } from "../../stdlib/generated/data/helpers.js";
import {
  type Block,
  type IrFunction,
  type IrInsn,
  type Operand,
  reachableBlocks,
  type VReg,
} from "../ir/ir.js";

export interface FrameObject {
  id: number;
  /** Offset from r10 where the object starts now (negative). */
  off: number;
  size: number;
  spillSlot: boolean;
}

export interface Access {
  obj: number;
  /** The bytes touched, bit k = byte k of the object. */
  bytes: bigint;
  /** Reads (helpers and callees are assumed to read whatever they are handed). */
  read: boolean;
  /** Writes every byte of `bytes` for sure: a store of known place. */
  kills: boolean;
}

export interface FrameFacts {
  objects: FrameObject[];
  /** Objects reachable in ways the analysis does not follow. */
  escaped: Set<number>;
  /** Accesses of every instruction of the reachable blocks (none: not in the map). */
  accesses: Map<IrInsn, Access[]>;
  order: Block[];
  /** The object a `frame` offset falls in, and the spill slot at a `spill`/`reload` offset. */
  objectAt: (off: number) => number | undefined;
  slotAt: Map<number, number>;
}

/** Where a pointer may point: object -> byte offset in it (null: not known). */
type PointsTo = Map<number, number | null>;

/** Helpers that keep a stack address they are given (the dynptr records its memory). */
const KEEPS_POINTER = new Set([HELPER_ID["bpf_dynptr_from_mem"]]);

export const allBytes = (size: number): bigint => (1n << BigInt(size)) - 1n;

/**
 * The objects of `f` and what every instruction does to them, or undefined
 * when some stack address cannot be matched to an object (then nothing moves).
 */
export function frameFacts(f: IrFunction): FrameFacts | undefined {
  const order = reachableBlocks(f);
  const insns = order.flatMap((b) => b.insns);
  const objects: FrameObject[] = f.stackObjects.map((o, id) => ({
    id,
    off: o.off,
    size: o.size,
    spillSlot: false,
  }));
  const slotAt = new Map<number, number>();
  for (const i of insns)
    if ((i.op === "spill" || i.op === "reload") && !slotAt.has(i.off)) {
      slotAt.set(i.off, objects.length);
      objects.push({ id: objects.length, off: i.off, size: 8, spillSlot: true });
    }
  const objectAt = (off: number): number | undefined =>
    objects.find((o) => !o.spillSlot && off >= o.off && off < o.off + Math.max(o.size, 1))?.id;
  for (const i of insns) if (i.op === "frame" && objectAt(i.off) === undefined) return undefined;

  const pts = pointsTo(f, insns, objectAt, slotAt);
  const escaped = new Set<number>();
  const accesses = new Map<IrInsn, Access[]>();
  const of = (v: VReg): PointsTo => pts.get(v) ?? new Map();
  const regs = (ops: Operand[]) => ops.flatMap((o) => (o.kind === "reg" ? [o.reg] : []));
  const escape = (p: PointsTo) => p.forEach((_, obj) => escaped.add(obj));

  // A store kills bytes only through a pointer that holds nothing but the address of one
  // object: a vreg set by `frame` alone. A vreg also set elsewhere (a copy joined from two
  // paths, a reload, a parameter) may hold another address on the path taken.
  const onlyFrame = new Set<VReg>();
  const setElsewhere = new Set<VReg>(f.params);
  for (const i of insns) {
    const d = "dst" in i ? i.dst : undefined;
    if (d !== undefined) (i.op === "frame" ? onlyFrame : setElsewhere).add(d);
  }
  const through = (base: VReg, off: number, size: number, read: boolean): Access[] => {
    const p = of(base);
    const sure = p.size === 1 && onlyFrame.has(base) && !setElsewhere.has(base);
    return [...p].map(([obj, at]) => {
      const o = objects[obj]!;
      const known = at !== null && at + off >= 0 && at + off + size <= o.size;
      const bytes = known ? allBytes(size) << BigInt(at + off) : allBytes(o.size);
      return { obj, bytes, read, kills: !read && known && sure };
    });
  };
  const handedTo = (args: VReg[]): Access[] => {
    const objs = new Set(args.flatMap((a) => [...of(a).keys()]));
    return [...objs].map((obj) => ({
      obj,
      bytes: allBytes(objects[obj]!.size),
      read: true,
      kills: false,
    }));
  };

  for (const i of insns) {
    let acc: Access[] = [];
    switch (i.op) {
      case "load":
        acc = through(i.base, i.off, i.size, true);
        break;
      case "store":
        acc = through(i.base, i.off, i.size, false);
        if (i.src.kind === "reg") escape(of(i.src.reg));
        break;
      case "atomic":
        acc = through(i.base, i.off, i.size, true);
        escape(of(i.src));
        break;
      case "spill":
        acc = [{ obj: slotAt.get(i.off)!, bytes: allBytes(8), read: false, kills: true }];
        break;
      case "reload":
        acc = [{ obj: slotAt.get(i.off)!, bytes: allBytes(8), read: true, kills: false }];
        break;
      case "call":
      case "callkfunc":
      case "calllocal": {
        const args = regs(i.args);
        acc = handedTo(args);
        // A kfunc handed two stack objects might record one in the other (as
        // bpf_dynptr_from_mem does); our own functions and the other helpers do not.
        const keeps =
          (i.op === "call" && KEEPS_POINTER.has(i.helper)) ||
          (i.op === "callkfunc" && acc.length > 1);
        if (keeps) for (const a of args) escape(of(a));
        break;
      }
    }
    if (acc.length) accesses.set(i, acc);
  }
  return { objects, escaped, accesses, order, objectAt, slotAt };
}

/** May-point-to sets of every vreg and spill slot, to a fixed point. */
function pointsTo(
  f: IrFunction,
  insns: IrInsn[],
  objectAt: (off: number) => number | undefined,
  slotAt: Map<number, number>,
): Map<VReg, PointsTo> {
  const pts = new Map<VReg, PointsTo>();
  /** What spill slots hold, by slot object id. */
  const held = new Map<number, PointsTo>();
  let changed = true;
  const join = (into: Map<number, PointsTo>, key: number, from: PointsTo, shift: number | null) => {
    if (from.size === 0) return;
    let p = into.get(key);
    if (!p) into.set(key, (p = new Map()));
    for (const [obj, at] of from) {
      const next = at === null || shift === null ? null : at + shift;
      if (!p.has(obj)) {
        p.set(obj, next);
        changed = true;
      } else if (p.get(obj) !== null && p.get(obj) !== next) {
        p.set(obj, null);
        changed = true;
      }
    }
  };
  const of = (v: VReg): PointsTo => pts.get(v) ?? new Map();
  const ofAll = (vs: VReg[]): PointsTo => {
    const m: PointsTo = new Map();
    for (const v of vs) for (const [obj] of of(v)) m.set(obj, null);
    return m;
  };
  const regOf = (o: Operand) => (o.kind === "reg" ? [o.reg] : []);
  while (changed) {
    changed = false;
    for (const i of insns) {
      switch (i.op) {
        case "frame": {
          const obj = objectAt(i.off)!;
          join(pts, i.dst, new Map([[obj, i.off - f.stackObjects[obj]!.off]]), 0);
          break;
        }
        case "mov":
          if (i.src.kind === "reg") join(pts, i.dst, of(i.src.reg), 0);
          break;
        case "alu": {
          const c = i.b.kind === "imm" ? Number(BigInt.asIntN(64, i.b.value)) : null;
          if (i.w === 64 && c !== null && (i.alu === "add" || i.alu === "sub"))
            join(pts, i.dst, of(i.a), i.alu === "add" ? c : -c);
          else join(pts, i.dst, ofAll([i.a, ...regOf(i.b)]), null);
          break;
        }
        case "neg":
          join(pts, i.dst, of(i.a), null);
          break;
        case "movsx":
        case "swap":
          join(pts, i.dst, of(i.src), null);
          break;
        case "spill":
          join(held, slotAt.get(i.off)!, of(i.src), 0);
          break;
        case "reload":
          join(pts, i.dst, held.get(slotAt.get(i.off)!) ?? new Map(), 0);
          break;
        case "call":
        case "callkfunc":
        case "calllocal":
          // A result may point into what the call was handed (bpf_iter_num_next
          // returns the address of the iterator's counter).
          if (i.dst !== undefined) join(pts, i.dst, ofAll(i.args.flatMap(regOf)), null);
          break;
        // load, atomic: a stack address read back from memory belongs to an
        // escaped object (its store escaped it).
      }
    }
  }
  return pts;
}
