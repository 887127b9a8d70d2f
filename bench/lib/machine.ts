// What the results were measured on: date, kernel, CPU model and count,
// and the load average (the machine is shared, so every timing section
// records the load around it).

import { readFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";

export interface Machine {
  date: string;
  kernel: string;
  cpu: string;
  cpus: number;
  node: string;
  loadavg: number[];
}

export function describeMachine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() is the best we have
  }
  return {
    date: new Date().toISOString(),
    kernel: release(),
    cpu,
    cpus: cpus().length,
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The 1-minute load average now, for the "load" note beside a timing. */
export function load1(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
