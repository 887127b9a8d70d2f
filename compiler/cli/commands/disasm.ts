// `tsbpf disasm <file.o>`: every program of an object as llvm-objdump-19
// prints its instructions, with the source lines from the object's BTF line
// info interleaved (`; <text>  @ file:line`), so a user can read what their
// TypeScript became. Works on clang's objects too (their C lines show).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SLOT_BYTES, encode, slotCount } from "../../../bpf/isa/index.js";
import { formatInstruction } from "../../../bpf/disasm/index.js";
import { ElfError, readObject, type BpfProgram } from "../../../bpf/elf/index.js";
import { UsageError, flag } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK } from "../command.js";

export const disasmCommand: Command = {
  name: "disasm",
  summary: "print the instructions of a BPF object with its source lines interleaved",
  usage: "tsbpf disasm <file.o> [--no-source] [--raw] [--json]",
  options: [
    { name: "no-source", takesValue: false, description: "leave out the source lines" },
    { name: "raw", takesValue: false, description: "show each instruction's bytes" },
    { name: "json", takesValue: false, description: "print programs and instructions as JSON" },
  ],
  async run(args, io) {
    const [path, ...extra] = args.positionals;
    if (!path) throw new UsageError("no input; give a .o file");
    if (extra.length > 0) throw new UsageError("give exactly one .o file");
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(io.cwd, path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      io.err(
        `tsbpf disasm: ${path}: ${code === "ENOENT" ? "no such file" : (e as Error).message}\n`,
      );
      return EXIT_FAILURE;
    }
    let programs: BpfProgram[];
    try {
      programs = readObject(bytes).programs;
    } catch (e) {
      if (!(e instanceof ElfError)) throw e;
      io.err(`tsbpf disasm: ${path}: not a BPF object we can read: ${e.message}\n`);
      return EXIT_FAILURE;
    }
    if (flag(args, "json")) {
      io.out(`${JSON.stringify(programs.map(programJson), null, 2)}\n`);
      return EXIT_OK;
    }
    const listing = programs.map((p) =>
      listProgram(p, { source: !flag(args, "no-source"), raw: flag(args, "raw") }),
    );
    io.out(listing.join("\n"));
    return EXIT_OK;
  },
};

function hexBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

/** One program: a header, then each instruction with the source line it starts. */
export function listProgram(p: BpfProgram, opts: { source: boolean; raw: boolean }): string {
  const lines = [`${p.section}: <${p.name}>${p.subprogram ? " (subprogram)" : ""}:`];
  const symbolize = (byteOffset: number): string =>
    byteOffset === 0 ? p.name : `${p.name}+0x${byteOffset.toString(16)}`;
  let slot = 0;
  let lastSource = "";
  for (const insn of p.insns) {
    if (opts.source && insn.source) {
      const s = insn.source;
      const key = `${s.file}:${s.line}:${s.text}`;
      if (key !== lastSource) lines.push(`; ${s.text.trim()}  @ ${s.file}:${s.line}`);
      lastSource = key;
    }
    const text = formatInstruction(insn, { slot, symbolize, alu32: true });
    const raw = opts.raw ? `${hexBytes(encode([insn]))}\t` : "";
    lines.push(`${String(slot).padStart(6)}:\t${raw}${text}`);
    slot += slotCount(insn);
  }
  lines.push("");
  return lines.join("\n");
}

function programJson(p: BpfProgram): unknown {
  let slot = 0;
  return {
    name: p.name,
    section: p.section,
    subprogram: p.subprogram,
    bytes: p.size,
    instructions: p.insns.map((insn) => {
      const entry = {
        offset: slot * SLOT_BYTES,
        text: formatInstruction(insn, { slot, alu32: true }),
        ...(insn.source ? { source: insn.source } : {}),
      };
      slot += slotCount(insn);
      return entry;
    }),
  };
}
