// The test process's place in cgroup v2, for kernel tests that configure the
// runtime's simulated cgroups (world.cgroupId, world.cgroups) as the kernel
// has them: bpftool, which runs the programs, inherits this process's cgroup.

import { existsSync, readFileSync, statSync } from "node:fs";

/** Where cgroup v2 is mounted: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid). */
export const V2_ROOT = existsSync("/sys/fs/cgroup/cgroup.controllers")
  ? "/sys/fs/cgroup"
  : "/sys/fs/cgroup/unified";

/** A cgroup's id: its directory's inode number. */
export const cgroupId = (path: string): bigint => statSync(path, { bigint: true }).ino;

/** This process's cgroup v2 directory ("0::/a/b" in /proc/self/cgroup), its id and its ancestors' ids. */
export function ownCgroup(): { path: string; id: bigint; chain: bigint[] } {
  const line = readFileSync("/proc/self/cgroup", "utf8")
    .split("\n")
    .find((l) => l.startsWith("0::"));
  const parts = (line?.slice(3) ?? "/").split("/").filter(Boolean);
  const chain = [cgroupId(V2_ROOT)];
  for (let i = 1; i <= parts.length; i++) {
    chain.push(cgroupId(`${V2_ROOT}/${parts.slice(0, i).join("/")}`));
  }
  return { path: [V2_ROOT, ...parts].join("/"), id: chain[chain.length - 1]!, chain };
}
