// Names and lifetimes of what the harness creates in the kernel: bpffs pin
// directories and network namespaces. Every name is `tsbpf-<pid>-<n>-<tag>`
// so parallel runs never collide and `sweepStale` can tell, from the pid,
// whether the creator is still alive. Live resources are remembered so a
// process-exit hook can remove them when a run is aborted.

import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runSync } from "./exec.js";

export const NAME_PREFIX = "tsbpf-";
export const BPFFS_ROOT = "/sys/fs/bpf";
export const NETNS_DIR = "/var/run/netns";

let counter = 0;

/** A fresh name `tsbpf-<pid>-<n>-<tag>`, unique within this machine while the process lives. */
export function uniqueName(tag: string): string {
  counter += 1;
  const safe = tag.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 24);
  return `${NAME_PREFIX}${process.pid}-${counter}-${safe}`;
}

type Resource = { kind: "pin"; path: string } | { kind: "netns"; name: string };
const live = new Map<string, Resource>();
let hooked = false;

/** Removes a pin path (file or directory tree); missing is fine. */
export function removePin(path: string): void {
  rmSync(path, { recursive: true, force: true });
}

/** Deletes a network namespace; one already gone is fine. */
export function deleteNetns(name: string): void {
  if (!existsSync(join(NETNS_DIR, name))) return;
  runSync("ip", ["netns", "del", name], { timeoutMs: 10_000 });
}

function release(r: Resource): void {
  if (r.kind === "pin") removePin(r.path);
  else deleteNetns(r.name);
}

/** Remembers a resource for the exit hook; returns a function that releases it once. */
export function track(r: Resource): () => void {
  installExitHook();
  const key = r.kind === "pin" ? `pin:${r.path}` : `netns:${r.name}`;
  live.set(key, r);
  return () => {
    if (!live.delete(key)) return;
    release(r);
  };
}

/** Releases everything still tracked; used by the exit hook and usable by tests. */
export function releaseAll(): void {
  for (const [key, r] of [...live]) {
    live.delete(key);
    try {
      release(r);
    } catch {
      // Exit-time cleanup is best effort; sweepStale catches what is left.
    }
  }
}

// process.on("exit") runs synchronously, which is why release uses runSync.
// Signals are re-raised after cleanup so the process still dies the usual way.
function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", releaseAll);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      releaseAll();
      process.kill(process.pid, sig);
    });
  }
}

function ownerPid(name: string): number | null {
  const m = /^tsbpf-(\d+)-/.exec(name);
  return m ? Number(m[1]) : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM means it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface SweepReport {
  namespaces: string[];
  pins: string[];
}

/**
 * Removes namespaces and pins named `tsbpf-<pid>-...` whose process is dead.
 * Names without a pid, and those of live processes (other test workers), are left alone.
 */
export function sweepStale(): SweepReport {
  const report: SweepReport = { namespaces: [], pins: [] };
  const stale = (name: string) => {
    const pid = ownerPid(name);
    return pid !== null && pid !== process.pid && !isAlive(pid);
  };
  for (const name of listDir(NETNS_DIR).filter(stale)) {
    deleteNetns(name);
    report.namespaces.push(name);
  }
  for (const name of listDir(BPFFS_ROOT).filter(stale)) {
    removePin(join(BPFFS_ROOT, name));
    report.pins.push(name);
  }
  return report;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.startsWith(NAME_PREFIX));
  } catch {
    return [];
  }
}
