// Loading an object with bpftool (`bpftool -d prog loadall OBJ DIR [type T]`)
// into a fresh pin directory under /sys/fs/bpf. The handle lists every
// pinned program with its kernel id, map ids and verifier instruction count,
// keeps the full libbpf + verifier log, and removes the pins on dispose().

import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { KernelError } from "./errors.js";
import { run } from "./exec.js";
import { BPFFS_ROOT, track, uniqueName } from "./resources.js";
import { logSaysBtfIgnored, processedInsnsByProgram } from "./verifier-log.js";

/**
 * bpftool's `type` argument: libbpf section names (`bpftool prog help`).
 * `tc` loads as kernel type "sched_cls"; cgroup skb programs need the
 * direction ("cgroup_skb/ingress"), plain "cgroup_skb" is not accepted.
 */
export type ProgramType =
  | "xdp"
  | "lwt_xmit"
  | "lwt_in"
  | "lwt_out"
  | "lwt_seg6local"
  | "tc"
  | "socket"
  | "cgroup_skb/ingress"
  | "cgroup_skb/egress"
  | (string & {});

export interface BpftoolLoadOptions {
  /** Forces this type on every program; without it bpftool guesses from section names. */
  type?: ProgramType;
  /** Which program `program` should be; default: the only one, else the first by name. */
  programName?: string;
  timeoutMs?: number;
}

export interface PinnedProgram {
  /** Program (function) name as libbpf saw it; also the pin's file name. */
  name: string;
  id: number;
  pinPath: string;
  /** Kernel program type as `bpftool prog show` names it ("xdp", "lwt_xmit", ...). */
  type: string;
  mapIds: number[];
  /** The verifier's "processed N insns", when its log was printed. */
  verifierProcessedInsns: number | undefined;
}

export interface BpftoolLoadHandle {
  objPath: string;
  pinDir: string;
  programs: PinnedProgram[];
  /** The selected program (see BpftoolLoadOptions.programName). */
  program: PinnedProgram;
  verifierProcessedInsns: number | undefined;
  /** Everything bpftool -d printed: libbpf's debug lines and each verifier log. */
  log: string;
  /** libbpf dropped the object's BTF ("BTF is optional, ignoring"). */
  btfIgnored: boolean;
  dispose(): void;
}

/** Loads and pins every program of `objPath`; throws KernelError (with the log) when refused. */
export async function loadWithBpftool(
  objPath: string,
  options: BpftoolLoadOptions = {},
): Promise<BpftoolLoadHandle> {
  requireObject(objPath);
  const pinDir = join(BPFFS_ROOT, uniqueName("load"));
  const dispose = track({ kind: "pin", path: pinDir });
  try {
    // bpftool creates pinDir itself; its parent must already be a bpffs.
    const args = ["-d", "prog", "loadall", objPath, pinDir];
    if (options.type) args.push("type", options.type);
    const r = await run("bpftool", args, { timeoutMs: options.timeoutMs ?? 60_000 });
    const log = r.stderr + r.stdout;
    const insns = processedInsnsByProgram(log);
    const names = readdirSync(pinDir).sort();
    if (names.length === 0) {
      throw new KernelError(`bpftool pinned no program from ${objPath}`, {
        command: ["bpftool", ...args],
        stderr: log,
      });
    }
    const programs = await Promise.all(
      names.map((name) => describePinned(name, join(pinDir, name), insns.get(name))),
    );
    const program = pick(programs, options.programName, objPath);
    return {
      objPath,
      pinDir,
      programs,
      program,
      verifierProcessedInsns: program.verifierProcessedInsns,
      log,
      btfIgnored: logSaysBtfIgnored(log),
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Fails early and plainly on a missing object (bpftool would say "failed to open object file"). */
export function requireObject(objPath: string): void {
  if (!existsSync(objPath)) throw new KernelError(`object file not found: ${objPath}`);
}

function pick(programs: PinnedProgram[], name: string | undefined, objPath: string) {
  if (name === undefined) return programs[0]!;
  const found = programs.find((p) => p.name === name);
  if (!found) {
    const have = programs.map((p) => p.name).join(", ");
    throw new KernelError(`no program named '${name}' in ${objPath} (it has: ${have})`);
  }
  return found;
}

interface ProgShowJson {
  id: number;
  type: string;
  name?: string;
  map_ids?: number[];
}

/** `bpftool prog show pinned P -j`: id, type and map ids of a pinned program. */
export async function showPinnedProgram(pinPath: string): Promise<ProgShowJson> {
  const r = await run("bpftool", ["prog", "show", "pinned", pinPath, "-j"]);
  return parseJson<ProgShowJson>(r.stdout, ["bpftool", "prog", "show", "pinned", pinPath]);
}

async function describePinned(
  name: string,
  pinPath: string,
  verifierProcessedInsns: number | undefined,
): Promise<PinnedProgram> {
  const info = await showPinnedProgram(pinPath);
  return {
    name,
    id: info.id,
    pinPath,
    type: info.type,
    mapIds: info.map_ids ?? [],
    verifierProcessedInsns,
  };
}

/** JSON.parse that reports bad tool output as a KernelError instead of a SyntaxError. */
export function parseJson<T>(text: string, command: readonly string[]): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new KernelError(`could not parse JSON output: ${text.slice(0, 200)}`, {
      command,
      stdout: text,
    });
  }
}
