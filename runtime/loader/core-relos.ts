// CO-RE relocations, applied the way libbpf applies them when bpftool or a
// libbpf loader loads a clang object: each `.BTF.ext` core_relo record
// (instruction, local type, access string, kind) is resolved against the
// kernel's BTF (world.kernelBtf, /sys/kernel/btf/vmlinux by default) and
// the instruction patched: an ALU immediate, a load/store offset (and its
// size when an unsigned field or a pointer changed size) or a 64-bit
// immediate. TYPE_ID_LOCAL needs no kernel BTF: it is the object's own id.
// Candidates are the kernel types of the same kind whose names equal the
// local name without its "___flavor" suffix; every matching candidate must
// give the same value. A field or enumerator that no candidate has poisons
// the instruction as libbpf does (a call of helper 0xbad2310: the kernel's
// verifier refuses it where reachable, the runtime faults if it runs).
// core-spec.ts computes the values.

import type { BpfObject, BpfProgram } from "../../bpf/elf/index.js";
import {
  InsnClass,
  OP_CALL,
  OP_LDDW,
  SIZE_MASK,
  insnClass,
  sizeFromBytes,
  slotOffsets,
  source,
  type Instruction,
} from "../../bpf/isa/index.js";
import type { BtfTypeList } from "../../bpf/btf/types.js";
import {
  CoreError,
  CoreKind,
  calcRelo,
  essentialName,
  matchSpec,
  parseSpec,
  type CoreResult,
} from "./core-spec.js";
import { LoadError } from "./errors.js";

/** libbpf's BPF_CORE_POISON: the helper id a poisoned instruction calls. */
export const CORE_POISON = 0xbad2310;
const RECORD_SIZE_MIN = 16;

interface CoreRelo {
  section: string;
  insnOff: number;
  typeId: number;
  access: string;
  kind: CoreKind;
}

/** The core_relo block of `.BTF.ext` (header fields 24 and 28, when hdr_len reaches them). */
export function readCoreRelos(obj: BpfObject): CoreRelo[] {
  const ext = obj.elf.section(".BTF.ext")?.data;
  const btf = obj.btf;
  if (!ext || !btf || ext.length < 32) return [];
  const v = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < 32) return [];
  const off = hdrLen + v.getUint32(24, true);
  const len = v.getUint32(28, true);
  if (len === 0) return [];
  const bad = (what: string) => new LoadError(`.BTF.ext core_relo: ${what}`);
  if (off + len > ext.length || len < 4) throw bad("block runs past the section");
  const recSize = v.getUint32(off, true);
  if (recSize < RECORD_SIZE_MIN) throw bad(`record size ${recSize} is below 16`);
  const out: CoreRelo[] = [];
  for (let at = off + 4; at < off + len;) {
    if (at + 8 > off + len) throw bad("section header runs past the block");
    const section = btf.string(v.getUint32(at, true));
    const n = v.getUint32(at + 4, true);
    at += 8;
    if (at + n * recSize > off + len) throw bad(`records of ${section} run past the block`);
    for (let i = 0; i < n; i++, at += recSize) {
      out.push({
        section,
        insnOff: v.getUint32(at, true),
        typeId: v.getUint32(at + 4, true),
        access: btf.string(v.getUint32(at + 8, true)),
        kind: v.getUint32(at + 12, true),
      });
    }
  }
  return out;
}

const candidateIndex = new WeakMap<BtfTypeList, Map<string, number[]>>();

/** Kernel type ids by essential name (built once per kernel BTF). */
function candidatesByName(types: BtfTypeList): Map<string, number[]> {
  let index = candidateIndex.get(types);
  if (!index) {
    index = new Map();
    for (let id = 1; id < types.length; id++) {
      const t = types[id];
      if (!t || !("name" in t) || t.name === "") continue;
      const key = essentialName(t.name);
      const list = index.get(key);
      if (list) list.push(id);
      else index.set(key, [id]);
    }
    candidateIndex.set(types, index);
  }
  return index;
}

const sameKind = (a: string, b: string) =>
  a === b || ((a === "enum" || a === "enum64") && (b === "enum" || b === "enum64"));

/** bpf_core_calc_relo_insn: the resolved value over every candidate. */
function resolve(local: BtfTypeList, kernel: () => BtfTypeList, r: CoreRelo): CoreResult {
  const root = local[r.typeId];
  if (r.typeId !== 0 && !root) throw new CoreError(`local type [${r.typeId}] does not exist`);
  const spec = parseSpec(local, r.typeId, r.kind, r.access);
  if (r.kind === CoreKind.TYPE_ID_LOCAL) {
    const id = BigInt(r.typeId);
    const none = { poison: false, origSize: 0, newSize: 0, failMemSizeAdjust: false };
    return { ...none, origVal: id, newVal: id, validate: false };
  }
  const name = root && "name" in root ? root.name : "";
  if (name === "") throw new CoreError(`type [${r.typeId}] is anonymous (no candidates)`);
  const targets = kernel();
  let found: { res: CoreResult; bitOffset: number } | undefined;
  for (const id of candidatesByName(targets).get(essentialName(name)) ?? []) {
    if (!sameKind(targets[id]!.kind, root!.kind)) continue;
    const cand = matchSpec(spec, targets, id);
    if (!cand) continue;
    const res = calcRelo(spec, cand);
    if (!found) found = { res, bitOffset: cand.bitOffset };
    else if (cand.bitOffset !== found.bitOffset) {
      throw new CoreError(`field offset ambiguity: ${found.bitOffset} != ${cand.bitOffset}`);
    } else if (res.poison !== found.res.poison || res.newVal !== found.res.newVal) {
      throw new CoreError(`relocation decision ambiguity: ${found.res.newVal} != ${res.newVal}`);
    }
  }
  return found ? found.res : calcRelo(spec, undefined);
}

/** bpf_core_patch_insn on instruction `k` of `prog`. */
function patch(prog: BpfProgram, k: number, res: CoreResult, where: string): void {
  const insn = prog.insns[k]!;
  const u64 = (n: number) => BigInt.asUintN(64, BigInt(n));
  if (res.poison || (res.failMemSizeAdjust && isMemClass(insn.opcode))) {
    // An ldimm64 becomes two poisoned calls (its two slots, as libbpf does); the
    // relocations of later instructions move up by one.
    if (insn.opcode === OP_LDDW) {
      prog.insns.splice(k + 1, 0, poisonInsn());
      for (const r of prog.relocations) if (r.insnIndex > k) r.insnIndex++;
    }
    Object.assign(insn, poisonInsn());
    delete insn.imm64;
    delete insn.hi;
    return;
  }
  const cls = insnClass(insn.opcode);
  if (cls === InsnClass.ALU || cls === InsnClass.ALU64) {
    if (source(insn.opcode) !== 0)
      throw new CoreError(`${where}: an ALU instruction with a register source`);
    if (res.validate && u64(insn.imm) !== res.origVal) {
      throw new CoreError(`${where}: unexpected ALU value ${insn.imm}, expected ${res.origVal}`);
    }
    insn.imm = Number(BigInt.asIntN(32, res.newVal));
  } else if (isMemClass(insn.opcode)) {
    if (res.validate && u64(insn.off) !== res.origVal) {
      throw new CoreError(
        `${where}: unexpected load/store offset ${insn.off}, expected ${res.origVal}`,
      );
    }
    if (res.newVal > 0x7fffn) throw new CoreError(`${where}: offset ${res.newVal} does not fit`);
    insn.off = Number(res.newVal);
    if (res.newSize !== res.origSize) {
      const sizes: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
      if (sizes[insn.opcode & SIZE_MASK] !== res.origSize) {
        throw new CoreError(`${where}: memory size is not the field's ${res.origSize} bytes`);
      }
      if (![1, 2, 4, 8].includes(res.newSize)) {
        throw new CoreError(`${where}: new memory size ${res.newSize}`);
      }
      insn.opcode = (insn.opcode & ~SIZE_MASK) | sizeFromBytes(res.newSize);
    }
  } else if (insn.opcode === OP_LDDW && insn.src === 0 && !insn.off && !hiUsed(insn)) {
    if (res.validate && (insn.imm64 ?? 0n) !== res.origVal) {
      throw new CoreError(
        `${where}: unexpected ldimm64 value ${insn.imm64}, expected ${res.origVal}`,
      );
    }
    insn.imm64 = res.newVal;
    insn.imm = Number(BigInt.asIntN(32, res.newVal));
  } else {
    throw new CoreError(`${where}: cannot relocate opcode 0x${insn.opcode.toString(16)}`);
  }
}

/** The second slot of an ldimm64 carries something besides the immediate's high half. */
function hiUsed(insn: Instruction): boolean {
  return !!insn.hi && (insn.hi.opcode !== 0 || insn.hi.regs !== 0 || insn.hi.off !== 0);
}

function isMemClass(opcode: number): boolean {
  const c = insnClass(opcode);
  return c === InsnClass.LDX || c === InsnClass.ST || c === InsnClass.STX;
}

function poisonInsn() {
  return { opcode: OP_CALL, dst: 0, src: 0, off: 0, imm: CORE_POISON };
}

/**
 * Apply every CO-RE relocation of `obj` to its programs' instructions.
 * `kernelTypes` gives the kernel BTF (null: none); it is asked only when a
 * relocation needs candidates. Throws LoadError for what libbpf refuses.
 */
export function applyCoreRelocations(
  obj: BpfObject,
  kernelTypes: () => BtfTypeList | null,
  kernelBtfName: string,
): number {
  const relos = readCoreRelos(obj);
  if (!relos.length) return 0;
  const local = obj.btf!.types;
  const kernel = () => {
    const t = kernelTypes();
    if (!t) {
      throw new CoreError(
        `it needs the kernel's BTF and there is none at ${kernelBtfName} (set world.kernelBtf to a BTF file such as /sys/kernel/btf/vmlinux)`,
      );
    }
    return t;
  };
  // Resolve everything before patching anything: a poisoned ldimm64 shifts later indexes.
  const plan: { prog: BpfProgram; k: number; res: CoreResult }[] = [];
  relos.forEach((r, n) => {
    const where = `CO-RE relocation #${n} (${CoreKind[r.kind] ?? r.kind}) at ${r.section}+${r.insnOff}`;
    const prog = obj.programs.find(
      (p) => p.section === r.section && r.insnOff >= p.offset && r.insnOff < p.offset + p.size,
    );
    const k = prog ? slotOffsets(prog.insns).offsets.indexOf((r.insnOff - prog.offset) / 8) : -1;
    if (!prog || k < 0) throw new LoadError(`${where}: no instruction there`);
    try {
      plan.push({ prog, k, res: resolve(local, kernel, r) });
    } catch (e) {
      if (e instanceof CoreError) throw new LoadError(`${where}: ${e.message}`, { cause: e });
      throw e;
    }
  });
  plan.sort((a, b) => b.k - a.k);
  for (const { prog, k, res } of plan) {
    try {
      patch(prog, k, res, `instruction ${k} of ${prog.name}`);
    } catch (e) {
      if (e instanceof CoreError)
        throw new LoadError(`CO-RE relocation: ${e.message}`, { cause: e });
      throw e;
    }
  }
  return relos.length;
}
