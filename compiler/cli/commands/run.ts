// `tsbpf run <file.o|file.ts> (--packet HEX | --pcap FILE) [--program NAME]
// [--ctx JSON] [--json] [--kernel]`: runs a program in the bundled
// interpreter as BPF_PROG_TEST_RUN would (a .ts file is compiled first) and
// shows what it did: return value and action, output packet, redirect, log.
// With --pcap every packet of the capture runs in order against the same
// maps, one line each. --kernel runs the same object through the kernel's
// BPF_PROG_TEST_RUN too and puts both results side by side; any difference
// fails the command.

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { CONSTANTS } from "../../../stdlib/generated/data/constants.js";
import { SECTIONS } from "../../../stdlib/generated/data/sections.js";
import {
  LoadError,
  loadObject,
  type ProgramHandle,
  type RunOutput,
} from "../../../runtime/index.js";
import { UsageError, flag, value } from "../args.js";
import { type Command, EXIT_FAILURE, EXIT_OK, type Io } from "../command.js";
import { hexdump, parseHex, toHex } from "../hexdump.js";
import { contextStructOf, runInKernel, type CtxFields, type KernelOutput } from "../kernel-run.js";
import { objectFrom } from "../object-input.js";
import { PcapError, readPcap } from "../pcap.js";

export const runCommand: Command = {
  name: "run",
  summary:
    "run a program on a packet (or a pcap file) in the interpreter, optionally in the kernel",
  usage:
    "tsbpf run <file.o|file.ts> (--packet HEX | --pcap FILE) [--program NAME] [--ctx JSON] [--json] [--kernel]",
  options: [
    {
      name: "packet",
      takesValue: true,
      valueName: "HEX",
      description: "the frame, from the Ethernet header on, in hex",
    },
    {
      name: "pcap",
      takesValue: true,
      valueName: "FILE",
      description: "run every packet of a pcap file (Ethernet)",
    },
    {
      name: "program",
      short: "p",
      takesValue: true,
      valueName: "NAME",
      description: "which program of the object (default: the only one)",
    },
    {
      name: "ctx",
      takesValue: true,
      valueName: "JSON",
      description: "context fields, e.g. '{\"ingress_ifindex\":1}' or '{\"mark\":7}'",
    },
    {
      name: "kernel",
      takesValue: false,
      description: "also run it through the kernel's BPF_PROG_TEST_RUN and compare",
    },
    { name: "json", takesValue: false, description: "print the results as JSON on stdout" },
  ],
  async run(args, io) {
    const [file, ...extra] = args.positionals;
    if (!file) throw new UsageError("no input; give a .o or .ts file");
    if (extra.length > 0) throw new UsageError(`one input file only (got also ${extra.join(" ")})`);
    const packetHex = value(args, "packet");
    const pcapPath = value(args, "pcap");
    if ((packetHex === undefined) === (pcapPath === undefined)) {
      throw new UsageError("give exactly one of --packet HEX or --pcap FILE");
    }
    const ctx = parseCtx(value(args, "ctx"));
    const json = flag(args, "json");
    const fail = (message: string): number => {
      io.err(`tsbpf run: ${message}\n`);
      return EXIT_FAILURE;
    };

    let packets: Uint8Array[];
    if (packetHex !== undefined) {
      const p = parseHex(packetHex);
      if (typeof p === "string") throw new UsageError(`--packet: ${p}`);
      packets = [p];
    } else {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(resolve(io.cwd, pcapPath!));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return fail(`${pcapPath}: ${code === "ENOENT" ? "no such file" : (e as Error).message}`);
      }
      try {
        packets = readPcap(bytes).map((p) => p.data);
      } catch (e) {
        if (!(e instanceof PcapError)) throw e;
        return fail(`${pcapPath}: ${e.message}`);
      }
    }

    const input = objectFrom(file, io);
    if ("error" in input) return fail(input.error);
    let program: ProgramHandle;
    try {
      program = pickProgram(loadObject(input.bytes).programs, value(args, "program"));
    } catch (e) {
      if (e instanceof LoadError || e instanceof PickError) return fail(`${file}: ${e.message}`);
      throw e;
    }

    const interp = packets.map((packet) => program.run({ packet, ...(ctx ? { ctx } : {}) }));
    let kernel: (KernelOutput | { error: string })[] | undefined;
    if (flag(args, "kernel")) {
      const k = await runInKernel(
        input.bytes,
        program.name,
        contextStructOf(program.section),
        packets.map((packet) => ({ packet, ...(ctx ? { ctx } : {}) })),
      );
      if (!k.ok) return fail(k.reason);
      kernel = k.results;
    }

    const rows = packets.map((packet, i) =>
      row(program, packet, interp[i]!, kernel ? kernel[i]! : undefined),
    );
    if (json)
      io.out(
        `${JSON.stringify({ program: program.name, section: program.section, runs: rows }, null, 2)}\n`,
      );
    else if (pcapPath !== undefined) printLines(program, rows, io);
    else printOne(program, rows[0]!, interp[0]!, kernel?.[0], io);
    const bad = rows.some(
      (r) => r.fault !== undefined || r.kernel?.error || (r.differences?.length ?? 0) > 0,
    );
    return bad ? EXIT_FAILURE : EXIT_OK;
  },
};

class PickError extends Error {}

function pickProgram(programs: readonly ProgramHandle[], name: string | undefined): ProgramHandle {
  const names = programs.map((p) => p.name).join(", ");
  if (name !== undefined) {
    const p = programs.find((x) => x.name === name);
    if (!p) throw new PickError(`no program '${name}' (it has: ${names})`);
    return p;
  }
  if (programs.length === 0) throw new PickError("the object has no programs");
  if (programs.length > 1)
    throw new PickError(`it has several programs (${names}); pick one with --program`);
  return programs[0]!;
}

function parseCtx(text: string | undefined): CtxFields | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--ctx is not JSON: ${text}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError('--ctx must be a JSON object of field names to numbers, e.g. {"mark":1}');
  }
  const out: Record<string, number | bigint> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v === "number" && Number.isInteger(v)) out[k] = v;
    else if (typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v)) out[k] = BigInt(v);
    else throw new UsageError(`--ctx: field ${k} must be an integer (got ${JSON.stringify(v)})`);
  }
  return out;
}

interface Row {
  length: number;
  retval: number;
  action: string | undefined;
  packet: string;
  changed: boolean;
  redirect?: { helper: string; ifindex?: number; flags?: string };
  log: string[];
  fault?: string;
  kernel?: { retval?: number; action?: string | undefined; packet?: string; error?: string };
  differences?: string[];
}

/** The kernel's retval under the same names the interpreter uses (XDP_DROP, BPF_OK, ...). */
function kernelAction(program: ProgramHandle, retval: number): string | undefined {
  const group = SECTIONS.find((s) => s.section === program.section)?.returns;
  for (const [name, c] of Object.entries(CONSTANTS)) {
    if (c.group !== group || c.value !== (retval | 0)) continue;
    const dot = name.indexOf(".");
    return dot < 0 ? name : `XDP_${name.slice(dot + 1)}`;
  }
  return undefined;
}

function row(
  program: ProgramHandle,
  input: Uint8Array,
  r: RunOutput,
  k: KernelOutput | { error: string } | undefined,
): Row {
  const out: Row = {
    length: input.length,
    retval: r.retval,
    action: r.action,
    packet: toHex(r.packet),
    changed: toHex(r.packet) !== toHex(input),
    log: r.log,
  };
  if (r.redirect) {
    out.redirect = {
      helper: r.redirect.helper,
      ...(r.redirect.ifindex !== undefined ? { ifindex: r.redirect.ifindex } : {}),
      ...(r.redirect.flags !== undefined ? { flags: String(r.redirect.flags) } : {}),
    };
  }
  if (r.fault) out.fault = r.fault.message;
  if (k) {
    if ("error" in k) {
      out.kernel = { error: k.error };
    } else {
      out.kernel = {
        retval: k.retval,
        action: kernelAction(program, k.retval),
        packet: toHex(k.packet),
      };
      const diff: string[] = [];
      if (r.fault) diff.push("the interpreter faulted");
      else {
        if (k.retval !== r.retval) diff.push("retval");
        if (out.kernel.packet !== out.packet) diff.push("packet");
      }
      out.differences = diff;
    }
  }
  return out;
}

function retvalText(retval: number | undefined, action: string | undefined): string {
  return retval === undefined ? "-" : `${retval}${action ? ` (${action})` : ""}`;
}

function printOne(
  program: ProgramHandle,
  r: Row,
  out: RunOutput,
  k: KernelOutput | { error: string } | undefined,
  io: Io,
): void {
  const lines = [`program   ${program.name} (${program.section})`];
  if (r.fault) {
    lines.push(`fault     ${r.fault}`);
  }
  if (!r.kernel) {
    lines.push(`retval    ${retvalText(r.retval, r.action)}`);
    lines.push(`packet    ${out.packet.length} bytes${r.changed ? " (changed)" : " (unchanged)"}`);
    if (r.changed || out.packet.length <= 128) lines.push(hexdump(out.packet, "  "));
  } else {
    const kr = r.kernel;
    const w = 24;
    lines.push(`${"".padEnd(10)}${"interpreter".padEnd(w)}kernel`);
    const kretval = kr.error ? `error: ${kr.error}` : retvalText(kr.retval, kr.action);
    const same = (a: boolean) => (a ? "" : "   <-- differs");
    lines.push(
      `retval    ${retvalText(r.retval, r.action).padEnd(w)}${kretval}${same(kr.error !== undefined || kr.retval === r.retval)}`,
    );
    if (!kr.error && k && !("error" in k)) {
      const samePacket = kr.packet === r.packet;
      lines.push(
        `packet    ${`${out.packet.length} bytes`.padEnd(w)}${k.packet.length} bytes${same(samePacket)}`,
      );
      lines.push(hexdump(out.packet, "  "));
      if (!samePacket) {
        lines.push("  kernel:");
        lines.push(hexdump(k.packet, "  "));
      }
    }
  }
  if (r.redirect) {
    lines.push(
      `redirect  ${r.redirect.helper}${r.redirect.ifindex !== undefined ? ` ifindex ${r.redirect.ifindex}` : ""}${r.redirect.flags !== undefined ? ` flags ${r.redirect.flags}` : ""}`,
    );
  }
  for (const l of r.log) lines.push(`log       ${l.replace(/\n$/, "")}`);
  if (r.differences) {
    lines.push(
      r.differences.length === 0
        ? "kernel and interpreter agree"
        : `DIFFERENT: ${r.differences.join(", ")}`,
    );
  }
  io.out(`${lines.join("\n")}\n`);
}

function printLines(program: ProgramHandle, rows: readonly Row[], io: Io): void {
  const lines = [
    `program ${program.name} (${program.section}), ${rows.length} packet${rows.length === 1 ? "" : "s"}`,
  ];
  rows.forEach((r, i) => {
    const parts = [`#${String(i + 1).padEnd(4)}`, `${String(r.length).padStart(5)} bytes`];
    if (r.fault) parts.push(`fault: ${r.fault}`);
    else parts.push(retvalText(r.retval, r.action).padEnd(16));
    if (r.changed) parts.push("changed");
    if (r.redirect?.ifindex !== undefined) parts.push(`-> ifindex ${r.redirect.ifindex}`);
    if (r.kernel) {
      if (r.kernel.error) parts.push(`kernel error: ${r.kernel.error}`);
      else parts.push(`kernel ${retvalText(r.kernel.retval, r.kernel.action)}`);
      if (r.differences && r.differences.length > 0)
        parts.push(`DIFFERENT: ${r.differences.join(", ")}`);
      else if (r.differences) parts.push("agree");
    }
    lines.push(parts.join("  "));
  });
  const counts = new Map<string, number>();
  for (const r of rows) {
    const key = r.fault ? "fault" : (r.action ?? String(r.retval));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  lines.push(`total: ${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")}`);
  io.out(`${lines.join("\n")}\n`);
}
