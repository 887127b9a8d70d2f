// Peephole on selected instructions: a stack object's address is computed as
// `rX = r10; rX += c` (the IR's `frame`), then used as the base of stores and
// loads and often passed on to a helper. Clang addresses the stack from r10
// directly. Here every load/store through rX in the same straight-line run
// becomes r10-relative; when rX then dies (overwritten, or clobbered by a call
// that does not take it as an argument), its definition is dropped and a
// single `rY = rX` copy becomes `rY = r10; rY += c`, saving an instruction
// and a register.

import { HELPERS } from "../../stdlib/generated/data/helpers.js";
import { Add64, type Instruction, Mov64 } from "../../bpf/isa/index.js";

const ARG_COUNT = new Map(HELPERS.map((h) => [h.id, h.prototypes[0]?.params.length ?? 5]));

const cls = (i: Instruction) => i.opcode & 0x07;
const isMovFromR10 = (i: Instruction) => i.opcode === 0xbf && i.src === 10;
const isAddImm64 = (i: Instruction) => i.opcode === 0x07;
const isMemMode = (i: Instruction) => (i.opcode & 0xe0) === 0x60;

/** The registers an instruction reads, and the one it writes (calls: see caller). */
function regs(i: Instruction): { reads: number[]; writes: number[] } {
  const c = cls(i);
  if (c === 0x04 || c === 0x07) {
    const op = i.opcode & 0xf0;
    const x = (i.opcode & 0x08) !== 0;
    const reads = op === 0xb0 ? [] : [i.dst];
    if (x && op !== 0xd0) reads.push(i.src);
    return { reads, writes: [i.dst] };
  }
  if (c === 0x01) return { reads: [i.src], writes: [i.dst] };
  if (c === 0x02) return { reads: [i.dst], writes: [] };
  if (c === 0x03) {
    if (isMemMode(i)) return { reads: [i.dst, i.src], writes: [] };
    return { reads: [i.dst, i.src, 0], writes: [i.src, 0] };
  }
  if (c === 0x00) return { reads: [], writes: [i.dst] };
  // Jumps: conditional ones read their operands.
  const op = i.opcode & 0xf0;
  if (op === 0x00 || op === 0x80 || op === 0x90) return { reads: [], writes: [] };
  return { reads: (i.opcode & 0x08) !== 0 ? [i.dst, i.src] : [i.dst], writes: [] };
}

type End = "dead" | "live";

function tryOne(insns: Instruction[], at: number): Instruction[] | undefined {
  const def = insns[at]!;
  const add = insns[at + 1];
  if (!isMovFromR10(def) || !add || !isAddImm64(add) || add.dst !== def.dst || add.labels?.length)
    return undefined;
  const rx = def.dst;
  const c = add.imm;
  const mem: number[] = [];
  const copies: number[] = [];
  let end: End = "live";
  for (let j = at + 2; j < insns.length; j++) {
    const i = insns[j]!;
    if (i.labels?.length) break;
    const k = cls(i);
    if (i.opcode === 0x85) {
      // A call reads its arguments and clobbers r0-r5.
      const argc = i.src === 0 ? (ARG_COUNT.get(i.imm) ?? 5) : 5;
      if (rx >= 1 && rx <= argc) break;
      if (rx <= 5) end = "dead";
      if (rx <= 5) break;
      continue;
    }
    if (i.opcode === 0x95) {
      if (rx !== 0) end = "dead";
      break;
    }
    const base = k === 0x01 ? i.src : i.dst;
    const memOp = (k === 0x01 || k === 0x02 || k === 0x03) && isMemMode(i) && base === rx;
    if (memOp && !(k === 0x03 && i.src === rx)) {
      mem.push(j);
      if (k === 0x01 && i.dst === rx) {
        end = "dead";
        break;
      }
      continue;
    }
    if (i.opcode === 0xbf && i.src === rx && i.dst !== rx) {
      copies.push(j);
      continue;
    }
    const r = regs(i);
    if (r.reads.includes(rx)) break;
    if (k === 0x05 || k === 0x06) break;
    if (r.writes.includes(rx)) {
      end = "dead";
      break;
    }
  }
  const drop = end === "dead" && copies.length <= 1;
  if (mem.length === 0 && !drop) return undefined;
  const out: Instruction[] = [];
  let carry: Pick<Instruction, "labels" | "source"> = {};
  insns.forEach((i, j) => {
    if (drop && (j === at || j === at + 1)) {
      if (i.labels?.length) carry.labels = [...(carry.labels ?? []), ...i.labels];
      if (i.source && !carry.source) carry.source = i.source;
      return;
    }
    let x: Instruction[] = [i];
    if (mem.includes(j)) {
      const y = { ...i, off: i.off + c };
      if (cls(i) === 0x01) y.src = 10;
      else y.dst = 10;
      x = [y];
    } else if (drop && copies.includes(j)) {
      const m = Mov64.reg(i.dst, 10);
      const a = Add64.imm(i.dst, c);
      if (i.labels) m.labels = i.labels;
      if (i.source) m.source = i.source;
      x = [m, a];
    }
    if (carry.labels || carry.source) {
      const f = { ...x[0]! };
      if (carry.labels) f.labels = [...carry.labels, ...(f.labels ?? [])];
      if (carry.source && !f.source) f.source = carry.source;
      x[0] = f;
      carry = {};
    }
    out.push(...x);
  });
  return out;
}

export function addressStackFromR10(insns: Instruction[]): Instruction[] {
  let cur = insns;
  for (let at = 0; at < cur.length; at++) {
    const next = tryOne(cur, at);
    if (next) cur = next;
  }
  return cur;
}
