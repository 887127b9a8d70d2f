// Network namespaces owned by the harness: created with a unique
// `tsbpf-<pid>-...` name, loopback up, commands run inside with
// `nsenter --net=/var/run/netns/NAME` (not `ip netns exec`, which remounts
// /sys and so hides the bpffs pins made outside), deleted on dispose or at
// process exit.

import { join } from "node:path";
import { run, type RunOptions, type RunResult } from "./exec.js";
import { deleteNetns, NETNS_DIR, track, uniqueName } from "./resources.js";

export interface Netns {
  name: string;
  /** Runs `argv` inside the namespace (network only; mounts and pins are the host's). */
  exec(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** `ip -n NAME args...`. */
  ip(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  dispose(): void;
}

/** Creates a fresh namespace with `lo` up. */
export async function createNetns(tag = "ns"): Promise<Netns> {
  const name = uniqueName(tag);
  const release = track({ kind: "netns", name });
  try {
    await run("ip", ["netns", "add", name]);
    const ns = netnsHandle(name, release);
    await ns.ip(["link", "set", "dev", "lo", "up"]);
    return ns;
  } catch (e) {
    release();
    throw e;
  }
}

function netnsHandle(name: string, release: () => void): Netns {
  const path = join(NETNS_DIR, name);
  return {
    name,
    exec: (argv, options) => {
      const [cmd, ...rest] = argv;
      if (cmd === undefined) throw new TypeError("exec needs a command");
      return run("nsenter", [`--net=${path}`, "--", cmd, ...rest], options);
    },
    ip: (args, options) => run("ip", ["-n", name, ...args], options),
    dispose: release,
  };
}

/** True while a namespace of that name exists. */
export async function netnsExists(name: string): Promise<boolean> {
  const r = await run("ip", ["netns", "list"]);
  return r.stdout.split("\n").some((l) => l.split(" ")[0] === name);
}

export { deleteNetns };
