// Reading and writing the maps of a loaded program through bpftool, as raw
// bytes: the interpreter's maps are compared with these byte for byte.
// `bpftool map dump -j` prints each byte as a "0x.." string and adds a
// `formatted` view when the map has BTF; per-CPU maps give one value per CPU.

import { KernelError } from "./errors.js";
import { run } from "./exec.js";
import { parseJson, showPinnedProgram } from "./bpftool-load.js";
import { pinPathOf, type ProgramRef } from "./test-run.js";

export interface MapInfo {
  id: number;
  /** bpftool's type name: "array", "hash", "percpu_array", ... */
  type: string;
  name: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  btfId: number | undefined;
}

export interface MapEntry {
  key: Uint8Array;
  /** The value, for maps that are not per-CPU. */
  value?: Uint8Array;
  /** One value per possible CPU, for per-CPU maps. */
  values?: { cpu: number; value: Uint8Array }[];
  /** bpftool's BTF-typed rendering, when the map has BTF. */
  formatted?: unknown;
}

interface MapShowJson {
  id: number;
  type: string;
  name: string;
  flags: number;
  bytes_key: number;
  bytes_value: number;
  max_entries: number;
  btf_id?: number;
}

interface MapEntryJson {
  key: string[];
  value?: string[];
  values?: { cpu: number; value: string[] }[];
  formatted?: unknown;
}

/** The maps a program uses, in the order the kernel lists them. Accepts a pin or a program id. */
export async function programMaps(program: ProgramRef | number): Promise<MapInfo[]> {
  let ids: number[];
  if (typeof program === "number") {
    const args = ["prog", "show", "id", String(program), "-j"];
    const r = await run("bpftool", args);
    ids = parseJson<{ map_ids?: number[] }>(r.stdout, ["bpftool", ...args]).map_ids ?? [];
  } else {
    ids = (await showPinnedProgram(pinPathOf(program))).map_ids ?? [];
  }
  return Promise.all(ids.map(mapInfo));
}

/** `bpftool map show id M -j`. */
export async function mapInfo(id: number): Promise<MapInfo> {
  const args = ["map", "show", "id", String(id), "-j"];
  const j = parseJson<MapShowJson>((await run("bpftool", args)).stdout, ["bpftool", ...args]);
  return {
    id: j.id,
    type: j.type,
    name: j.name,
    keySize: j.bytes_key,
    valueSize: j.bytes_value,
    maxEntries: j.max_entries,
    flags: j.flags,
    btfId: j.btf_id,
  };
}

/** Every entry of map `id` as raw bytes (arrays list all max_entries slots). */
export async function dumpMap(id: number): Promise<MapEntry[]> {
  const args = ["map", "dump", "id", String(id), "-j"];
  const r = await run("bpftool", args);
  return parseJson<MapEntryJson[]>(r.stdout, ["bpftool", ...args]).map(toEntry);
}

/** The entry for `key`, or undefined when the map has none. */
export async function lookupMap(id: number, key: Uint8Array): Promise<MapEntry | undefined> {
  await checkSizes(id, key, undefined);
  const args = ["map", "lookup", "id", String(id), "key", "hex", ...hexBytes(key), "-j"];
  // Not found: exit code 254 and "null" on stdout.
  const r = await run("bpftool", args, { okCodes: [0, 254] });
  if (r.code === 254 && r.stdout.trim() === "null") return undefined;
  if (r.code !== 0) {
    throw new KernelError("bpftool map lookup failed", {
      command: ["bpftool", ...args],
      exitCode: r.code,
      stderr: r.stderr,
    });
  }
  return toEntry(parseJson<MapEntryJson>(r.stdout, ["bpftool", ...args]));
}

export type UpdateFlag = "any" | "exist" | "noexist";

/** Writes `value` at `key` (for per-CPU maps bpftool copies it to every CPU). */
export async function updateMap(
  id: number,
  key: Uint8Array,
  value: Uint8Array,
  flag: UpdateFlag = "any",
): Promise<void> {
  await checkSizes(id, key, value);
  const args = ["map", "update", "id", String(id), "key", "hex", ...hexBytes(key)];
  args.push("value", "hex", ...hexBytes(value), flag);
  await run("bpftool", args);
}

/** Deletes `key` from a hash-like map. */
export async function deleteMapKey(id: number, key: Uint8Array): Promise<void> {
  await checkSizes(id, key, undefined);
  await run("bpftool", ["map", "delete", "id", String(id), "key", "hex", ...hexBytes(key)]);
}

// bpftool's own message for a short key is "error parsing byte: value";
// checking sizes first gives the caller a message that says what is wrong.
async function checkSizes(id: number, key: Uint8Array, value: Uint8Array | undefined) {
  const info = await mapInfo(id);
  if (key.length !== info.keySize) {
    throw new KernelError(
      `map ${id} (${info.name}) has ${info.keySize}-byte keys, got ${key.length}`,
    );
  }
  if (value && value.length !== info.valueSize) {
    throw new KernelError(
      `map ${id} (${info.name}) has ${info.valueSize}-byte values, got ${value.length}`,
    );
  }
}

function hexBytes(bytes: Uint8Array): string[] {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0"));
}

function fromHex(list: string[]): Uint8Array {
  return Uint8Array.from(list, (s) => parseInt(s, 16));
}

function toEntry(j: MapEntryJson): MapEntry {
  const e: MapEntry = { key: fromHex(j.key) };
  if (j.value) e.value = fromHex(j.value);
  if (j.values) e.values = j.values.map((v) => ({ cpu: v.cpu, value: fromHex(v.value) }));
  if (j.formatted !== undefined) e.formatted = j.formatted;
  return e;
}
