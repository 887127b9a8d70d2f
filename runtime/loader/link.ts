// Linking an object's programs into one code image for one VM, the way
// libbpf's bpf_object__relocate does per program: every entry program is
// placed, then each `.text` function some placed code calls (or takes the
// address of) is appended once, and every relocated instruction is patched:
//   call <func>      -> pc-relative local call to where the function landed
//   lddw <func>      -> src FUNC, imm = pc-relative slot (callbacks)
//   lddw <map>       -> src MAP_FD, imm = map index (the VM asks the resolver)
//   lddw <global>    -> src MAP_VALUE, imm = map index, next imm = offset
//   call <kfunc>     -> src KFUNC, imm = the kfunc's runtime id
// One image for all programs lets bpf_tail_call run another entry in the
// same VM, memory and maps.

import type { BpfObject, BpfProgram, ElfSymbol } from "../../bpf/elf/index.js";
import {
  CallSrc,
  LdImm64Src,
  OP_CALL,
  OP_LDDW,
  encode,
  slotOffsets,
  type Instruction,
} from "../../bpf/isa/index.js";
import { LoadError } from "./errors.js";

export interface LinkTargets {
  /** Map index of a map name or a global data section name. */
  mapIndex(name: string): number | undefined;
  /** Runtime id of a kfunc name (undefined: the kernel has no such kfunc). */
  kfuncId(name: string): number | undefined;
  /** `.text` functions to place although no code calls them (exception callbacks). */
  roots?: readonly string[];
}

export interface LinkedImage {
  code: Uint8Array;
  /** Entry slot of each entry program, by name. */
  entries: Map<string, number>;
  /** Where each placed function starts (entries and appended `.text` functions). */
  functions: Map<string, number>;
}

interface Placed {
  prog: BpfProgram;
  slot: number;
}

export function linkObject(obj: BpfObject, entries: BpfProgram[], t: LinkTargets): LinkedImage {
  const text = new Map(obj.programs.filter((p) => p.subprogram).map((p) => [p.name, p]));
  const placed: Placed[] = [];
  const at = new Map<BpfProgram, number>();
  let next = 0;
  const place = (prog: BpfProgram) => {
    if (at.has(prog)) return;
    at.set(prog, next);
    placed.push({ prog, slot: next });
    next += slotOffsets(prog.insns).total;
  };
  entries.forEach(place);
  for (const name of t.roots ?? []) {
    const root = text.get(name);
    if (root) place(root);
  }
  // Append every `.text` function reachable from placed code (the list grows as we go).
  for (let i = 0; i < placed.length; i++) {
    for (const insn of placed[i]!.prog.insns) {
      const r = insn.reloc;
      if (!r || (r.kind !== "call" && r.kind !== "func")) continue;
      const callee = findFunction(obj, placed[i]!.prog, r.symbol, text);
      if (!callee)
        throw new LoadError(`${placed[i]!.prog.name}: calls unknown function ${r.symbol}`);
      place(callee);
    }
  }
  const out: Instruction[] = [];
  for (const { prog, slot } of placed) {
    const offsets = slotOffsets(prog.insns).offsets;
    prog.insns.forEach((insn, k) => {
      const pc = slot + offsets[k]!;
      const rel = prog.relocations.find((x) => x.insnIndex === k);
      out.push(
        relocate(
          prog,
          { ...insn },
          rel?.elfSymbol,
          pc,
          (name) => {
            const callee = findFunction(obj, prog, name, text);
            return callee === undefined ? undefined : at.get(callee);
          },
          t,
        ),
      );
    });
  }
  const functions = new Map(placed.map((p) => [p.prog.name, p.slot]));
  const entrySlots = new Map(entries.map((p) => [p.name, at.get(p)!]));
  return { code: encode(out), entries: entrySlots, functions };
}

/** A callee by name: same section first (static functions), then `.text`. */
function findFunction(
  obj: BpfObject,
  from: BpfProgram,
  name: string,
  text: Map<string, BpfProgram>,
): BpfProgram | undefined {
  return obj.programs.find((p) => p.name === name && p.section === from.section) ?? text.get(name);
}

function relocate(
  prog: BpfProgram,
  insn: Instruction,
  sym: ElfSymbol | undefined,
  pc: number,
  slotOf: (name: string) => number | undefined,
  t: LinkTargets,
): Instruction {
  const r = insn.reloc;
  if (!r) return insn;
  const where = `${prog.section}/${prog.name} instruction at slot ${pc}`;
  switch (r.kind) {
    case "call": {
      const target = slotOf(r.symbol);
      if (target === undefined) throw new LoadError(`${where}: no function ${r.symbol}`);
      return { ...insn, opcode: OP_CALL, src: CallSrc.LOCAL, imm: target - (pc + 1) };
    }
    case "func": {
      const target = slotOf(r.symbol);
      if (target === undefined) throw new LoadError(`${where}: no function ${r.symbol}`);
      return lddw(insn, LdImm64Src.FUNC, target - (pc + 1), 0);
    }
    case "map": {
      const index = t.mapIndex(r.symbol);
      if (index === undefined) throw new LoadError(`${where}: unknown map ${r.symbol}`);
      return lddw(insn, LdImm64Src.MAP_FD, index, 0);
    }
    case "data": {
      const section = sym?.sectionName;
      const index = section === undefined ? undefined : t.mapIndex(section);
      if (index === undefined) {
        throw new LoadError(
          `${where}: global ${r.symbol} is in ${section ?? "no section"}, which is not loadable data`,
        );
      }
      // libbpf: the variable's offset in its section plus the lddw's own addend.
      return lddw(insn, LdImm64Src.MAP_VALUE, index, sym!.value + insn.imm);
    }
    case "kfunc": {
      const id = t.kfuncId(r.symbol);
      if (id === undefined)
        throw new LoadError(`${where}: kfunc ${r.symbol} is not a kernel function`);
      return { ...insn, src: CallSrc.KFUNC, imm: id, off: 0 };
    }
  }
  return insn;
}

function lddw(insn: Instruction, src: number, imm: number, next: number): Instruction {
  if (insn.opcode !== OP_LDDW) throw new LoadError("relocation on a non-lddw instruction");
  const imm64 = (BigInt(next >>> 0) << 32n) | BigInt(imm >>> 0);
  return { ...insn, src, imm, imm64 };
}
