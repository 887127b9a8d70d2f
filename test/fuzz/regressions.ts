// Where fuzzers keep what they found, so every finding becomes a test:
//   regressions/raw/*.json      kernel/interpreter disagreements (program + packets)
//   regressions/compiler/*.txt  sources on which compile() threw or hung
//   regressions/elf/*.bin       objects on which readObject/loadObject misbehaved
// A finding is "open" until its owner fixes it; replay tests expect open
// findings to still fail (it.fails) and fixed ones to pass, so a fix flips
// the test and the owner then marks it fixed (the status field, or the
// `.fixed.` infix in compiler/elf file names). A generated program whose
// status is "generator" is past the verifier's limits whatever compiles it
// (clang-19's object for the same C, regressions/program/c/, is refused too:
// verifier-cost.test.ts checks it); the generator stopped writing its shape,
// and its replay is expected to fail like an open finding's.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import * as prettier from "prettier";
import { formatInstruction } from "../../bpf/disasm/index.js";
import type { Instruction } from "../../bpf/isa/index.js";
import type { Case, Disagreement, Observation } from "./raw/differential.js";
import { flatten, insnsFromJson, insnsToJson } from "./raw/program.js";

export const REGRESSIONS = join(import.meta.dirname, "regressions");

export interface RawRegression {
  kind: "raw-xdp";
  status: "open" | "fixed";
  /** Where it came from (seed, date) and what differed, for people. */
  found: string;
  summary: string;
  listing: string[];
  /** The array map the instructions name. */
  map: string;
  insns: Instruction[];
  packets: string[];
  kernel: Observation;
  interpreter: Observation;
}

/**
 * Writes `body` as JSON formatted the way `npx prettier --check .` wants it
 * (the repository's prettier config), so a run that saved findings leaves
 * the tree passing the format check.
 */
export async function writeJson(file: string, body: unknown): Promise<void> {
  writeFileSync(file, await prettier.format(JSON.stringify(body), await jsonFormat(file)));
}

/** Prettier's options for a JSON file here (the config of the repository's regression folder). */
export async function jsonFormat(file: string): Promise<prettier.Options> {
  const options = (await prettier.resolveConfig(join(REGRESSIONS, "finding.json"))) ?? {};
  return { ...options, filepath: file };
}

function hash(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/** One line on what differs between the two observations. */
export function describeDifference(k: Observation, i: Observation): string {
  const parts: string[] = [];
  if (i.fault) parts.push(`interpreter faulted: ${i.fault}`);
  if (k.retval !== i.retval) parts.push(`r0 kernel ${k.retval} vs interpreter ${i.retval}`);
  if (k.packet !== i.packet) parts.push("data_out differs");
  k.map.forEach((v, key) => {
    if (JSON.stringify(v) !== JSON.stringify(i.map[key])) parts.push(`map slot ${key} differs`);
  });
  return parts.join("; ") || "observations differ";
}

export function listing(insns: readonly Instruction[]): string[] {
  return insns.map(
    (x) =>
      `${(x.labels ?? []).map((l) => `${l}: `).join("")}${formatInstruction(x)}${x.target ? ` ; -> ${x.target}` : ""}`,
  );
}

/** Saves a (minimized) disagreement; returns the file path. Same program twice: same file. */
export async function saveRawRegression(
  d: Disagreement,
  found: string,
  root = REGRESSIONS,
): Promise<string> {
  const insns = flatten(d.case.program.items);
  const packets = d.case.packets.slice(0, d.packet + 1).map((p) => Buffer.from(p).toString("hex"));
  const body = {
    kind: "raw-xdp",
    status: "open",
    found,
    summary: describeDifference(d.kernel, d.interpreter),
    listing: listing(insns),
    map: d.case.program.map,
    insns: insnsToJson(insns),
    packets,
    kernel: d.kernel,
    interpreter: d.interpreter,
  };
  const dir = join(root, "raw");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `raw-${hash(JSON.stringify([body.insns, packets]))}.json`);
  await writeJson(file, body);
  return file;
}

export function loadRawRegressions(root = REGRESSIONS): { file: string; reg: RawRegression }[] {
  const dir = join(root, "raw");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const j = JSON.parse(readFileSync(join(dir, f), "utf8")) as RawRegression & {
        insns: Record<string, unknown>[];
      };
      return { file: f, reg: { ...j, insns: insnsFromJson(j.insns) } };
    });
}

/** The case a saved disagreement replays: its program (one item) on its packets. */
export function replayCase(reg: RawRegression): Case {
  return {
    program: { name: "repro", map: reg.map, items: [{ kind: "repro", insns: reg.insns }] },
    packets: reg.packets.map((h) => Uint8Array.from(Buffer.from(h, "hex"))),
  };
}

/** Saves an input a fuzzer crashed on: `<dir>/<tag>-<hash>.<ext>`. */
export function saveInput(
  dir: "compiler" | "elf",
  tag: string,
  data: string | Uint8Array,
  ext: string,
): string {
  const d = join(REGRESSIONS, dir);
  mkdirSync(d, { recursive: true });
  const file = join(d, `${tag}-${hash(data)}.${ext}`);
  writeFileSync(file, data);
  return file;
}

/**
 * known.json of a findings folder: file name -> failure key (the first line
 * of the failure, numbers blanked). Fixed-seed CI runs use it to tell a
 * finding already on record (and replayed as it.fails) from a new one.
 */
export function knownFailures(dir: "compiler" | "elf"): Record<string, string> {
  const f = join(REGRESSIONS, dir, "known.json");
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as Record<string, string>) : {};
}

export async function rememberKnown(
  dir: "compiler" | "elf",
  file: string,
  key: string,
): Promise<void> {
  const known = knownFailures(dir);
  known[basename(file)] = key;
  const sorted = Object.fromEntries(Object.entries(known).sort(([a], [b]) => a.localeCompare(b)));
  await writeJson(join(REGRESSIONS, dir, "known.json"), sorted);
}

/** Saved inputs of one kind; `fixed` tells whether the file name carries `.fixed.`. */
export function loadInputs(
  dir: "compiler" | "elf",
  ext: string,
): { file: string; data: Buffer; fixed: boolean }[] {
  const d = join(REGRESSIONS, dir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith(`.${ext}`))
    .sort()
    .map((f) => ({ file: f, data: readFileSync(join(d, f)), fixed: f.includes(".fixed.") }));
}

/**
 * A generated tsbpf program that failed: the compiler refused it, the
 * verifier refused its compiled code, or kernel and interpreter disagreed.
 * Replays compile the source, load it and run the packets on both sides:
 * it must compile, load and agree on every packet.
 */
export interface ProgramRegression {
  kind: "program";
  /** "generator": the program is past the verifier whatever compiles it (see the top). */
  status: "open" | "fixed" | "generator";
  failure: "compiler refused" | "verifier refused" | "disagreement" | "harness error";
  found: string;
  summary: string;
  /** The exported program the packets run through. */
  program: string;
  source: string;
  packets: string[];
  kernel?: unknown;
  interpreter?: unknown;
}

/** Saves a (minimized) generated-program finding; returns the file path. */
export async function saveProgramRegression(
  reg: Omit<ProgramRegression, "kind" | "status">,
  root = REGRESSIONS,
): Promise<string> {
  const dir = join(root, "program");
  mkdirSync(dir, { recursive: true });
  const tag = reg.failure.split(" ")[0];
  const file = join(dir, `${tag}-${hash(reg.source + reg.packets.join())}.json`);
  await writeJson(file, { kind: "program", status: "open", ...reg });
  return file;
}

export function loadProgramRegressions(
  root = REGRESSIONS,
): { file: string; reg: ProgramRegression }[] {
  const dir = join(root, "program");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({
      file: f,
      reg: JSON.parse(readFileSync(join(dir, f), "utf8")) as ProgramRegression,
    }));
}
