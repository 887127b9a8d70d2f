// The real kernel's maps, through bpftool (and bpf_syscall.py for what
// bpftool 7.1 lacks), for the differential tests: each operation returns 0 or
// -errno like the model's. bpftool runs pinned to CPU 0 (taskset) so LRU and
// per-CPU behaviour is that of one known CPU. Pins carry the pid; every test
// removes its own. Reproduce by hand: `bpftool map create /sys/fs/bpf/X
// type hash key 4 value 8 entries 4 name m flags 64; bpftool map update ...`.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PY = fileURLToPath(new URL("./bpf_syscall.py", import.meta.url));

const ERRNO_BY_MESSAGE: Record<string, number> = {
  "Operation not permitted": 1,
  "No such file or directory": 2,
  "Argument list too long": 7,
  "Bad file descriptor": 9,
  "Resource temporarily unavailable": 11,
  "Cannot allocate memory": 12,
  "Device or resource busy": 16,
  "File exists": 17,
  "No such device": 19,
  "Invalid argument": 22,
  "No space left on device": 28,
  "Value too large for defined data type": 75,
  "Operation not supported": 95,
  "Unknown error 524": 524,
};

/** Why the kernel tests cannot run here, or undefined when they can. */
export function kernelUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  if (spawnSync("bpftool", ["version"]).status !== 0) return "bpftool not installed";
  if (spawnSync("taskset", ["-V"]).status !== 0) return "taskset not installed";
  const mounts = existsSync("/proc/mounts") ? readFileSync("/proc/mounts", "utf8") : "";
  if (!/ \/sys\/fs\/bpf bpf /.test(mounts)) return "/sys/fs/bpf is not a bpffs";
  return undefined;
}

/** The kernel's possible CPU count (per-CPU values come in this many copies). */
export function kernelCpus(): number {
  const s = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  return s.split(",").reduce((n, r) => {
    const [a, b] = r.split("-").map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

let counter = 0;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0"));
const fromHex = (l: string[]) => Uint8Array.from(l, (s) => parseInt(s, 16));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function bpftool(args: string[]): Run {
  const r = spawnSync("taskset", ["-c", "0", "bpftool", ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** 0, or -errno from bpftool's "Error: ... failed: <strerror>". */
function errnoOf(r: Run): number {
  if (r.code === 0) return 0;
  const m = /failed: (.+)$/m.exec(r.stderr) ?? /"error":"[^"]*?: ([^"]+)"/.exec(r.stdout);
  const e = m && ERRNO_BY_MESSAGE[m[1]!.trim()];
  if (e) return -e;
  // Not found prints "null" with no message; bpftool exits with -errno as a byte.
  if (r.code > 200 && r.code < 256 && r.stdout.trim() === "null") return r.code - 256;
  throw new Error(`bpftool exited ${r.code}: ${r.stderr || r.stdout}`);
}

export interface KernelEntry {
  key: Uint8Array;
  value?: Uint8Array;
  values?: Uint8Array[];
}

export class KernelMap {
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** `bpftool map create` with extra words (e.g. ["flags", "1"]); throws -errno text on failure. */
  static create(type: string, key: number, value: number, entries: number, extra: string[] = []) {
    const path = `/sys/fs/bpf/tsbpf-maps-${process.pid}-${counter++}`;
    const args = ["map", "create", path, "type", type, "key", String(key), "value", String(value)];
    args.push("entries", String(entries), "name", "m", ...extra);
    const r = bpftool(args);
    if (r.code !== 0) return errnoOf(r) || -1;
    return new KernelMap(path);
  }

  /** A bloom filter with map_extra, through bpf(2). */
  static createBloom(value: number, entries: number, flags: number, mapExtra: number) {
    const path = `/sys/fs/bpf/tsbpf-maps-${process.pid}-${counter++}`;
    const out = execFileSync(
      "python3",
      [PY, "create-bloom", path, ...[value, entries, flags, mapExtra].map(String)],
      {
        encoding: "utf8",
      },
    );
    const rc = Number(out.trim());
    if (rc !== 0) throw new Error(`bloom create failed: ${rc}`);
    return new KernelMap(path);
  }

  update(key: Uint8Array, value: Uint8Array, flag: "any" | "exist" | "noexist" = "any"): number {
    const args = ["map", "update", "pinned", this.path, "key", "hex", ...hex(key)];
    return errnoOf(bpftool([...args, "value", "hex", ...hex(value), flag]));
  }

  /** Stores another pinned map (map-in-map) at `key`. */
  updateMap(key: Uint8Array, inner: KernelMap): number {
    const args = ["map", "update", "pinned", this.path, "key", "hex", ...hex(key)];
    return errnoOf(bpftool([...args, "value", "pinned", inner.path]));
  }

  delete(key: Uint8Array): number {
    return errnoOf(bpftool(["map", "delete", "pinned", this.path, "key", "hex", ...hex(key)]));
  }

  lookup(key: Uint8Array): KernelEntry | undefined {
    const r = bpftool(["map", "lookup", "pinned", this.path, "key", "hex", ...hex(key), "-j"]);
    if (r.code !== 0) {
      errnoOf(r);
      return undefined;
    }
    return toEntry(JSON.parse(r.stdout));
  }

  push(value: Uint8Array, flag: "any" | "exist" = "any"): number {
    // bpftool's "push" takes no flags; BPF_EXIST goes through "update" with no key.
    if (flag === "exist")
      return errnoOf(
        bpftool(["map", "update", "pinned", this.path, "value", "hex", ...hex(value), "exist"]),
      );
    return errnoOf(bpftool(["map", "push", "pinned", this.path, "value", "hex", ...hex(value)]));
  }

  /** pop or peek: the value, or -errno. */
  take(op: "pop" | "peek"): Uint8Array | number {
    const r = bpftool(["map", op, "pinned", this.path, "-j"]);
    if (r.code !== 0) return errnoOf(r);
    return fromHex(JSON.parse(r.stdout).value);
  }

  /** Bloom filter membership of each value: 0 or -ENOENT. */
  peekMany(values: Uint8Array[]): number[] {
    const args = [PY, "peek", this.path, ...values.map((v) => hex(v).join(""))];
    return execFileSync("python3", args, { encoding: "utf8" }).trim().split("\n").map(Number);
  }

  dump(): KernelEntry[] {
    const r = bpftool(["map", "dump", "pinned", this.path, "-j"]);
    if (r.code !== 0) throw new Error(`dump failed: ${r.stderr}`);
    // Array-like maps list empty slots with {"error": ...} for a value: leave them out.
    return (JSON.parse(r.stdout) as EntryJson[]).map(toEntry).filter((e) => e.value || e.values);
  }

  info(): { maxEntries: number; flags: number } {
    const j = JSON.parse(bpftool(["map", "show", "pinned", this.path, "-j"]).stdout);
    return { maxEntries: j.max_entries, flags: j.flags };
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}

interface EntryJson {
  key: string[];
  value?: string[];
  values?: { cpu: number; value: string[] }[];
  inner_map_id?: number;
}

function toEntry(j: EntryJson): KernelEntry {
  const e: KernelEntry = { key: fromHex(j.key) };
  if (Array.isArray(j.value)) e.value = fromHex(j.value);
  if (j.values) e.values = j.values.map((v) => fromHex(v.value));
  return e;
}
