// Loading an object the way users will: with Debian's `ip` (libbpf 1.1.2
// inside), as an XDP program on a device or as an LWT route (`encap bpf
// xmit|in|out`), in a namespace the harness owns. Reports the kernel's
// program id and everything ip printed, so callers can fail on libbpf's
// "BTF is optional, ignoring".

import { KernelError } from "./errors.js";
import { run } from "./exec.js";
import { parseJson, requireObject } from "./bpftool-load.js";
import { createNetns, type Netns } from "./netns.js";
import { logSaysBtfIgnored } from "./verifier-log.js";

export type IpHook = "xdp" | "lwt_xmit" | "lwt_in" | "lwt_out";
/** `xdp` lets the kernel choose (native when the driver has it), the others force a mode. */
export type XdpMode = "xdp" | "xdpgeneric" | "xdpdrv";

export interface IpLoadOptions {
  hook: IpHook;
  /** ELF section holding the program. */
  section: string;
  /** Namespace to use; by default a fresh one is made and deleted on dispose. */
  netns?: Netns;
  /** Device for the XDP program or the route; default "lo". */
  dev?: string;
  xdpMode?: XdpMode;
  /** Route destination for LWT; default 192.0.2.1/32 (TEST-NET-1, only inside the namespace). */
  route?: string;
  timeoutMs?: number;
}

export interface IpLoadHandle {
  netns: Netns;
  hook: IpHook;
  /**
   * Kernel id of the attached program. For XDP it comes from `ip -d link show`.
   * A route does not report its program, so for LWT it is the one new program
   * of that type that appeared while ip ran; undefined if another process
   * loaded one at the same moment (see candidateIds).
   */
  progId: number | undefined;
  candidateIds: number[];
  /** stdout + stderr of the loading ip command (libbpf prints its warnings there). */
  output: string;
  btfIgnored: boolean;
  dispose(): Promise<void>;
}

/** Attaches `objPath` with ip; throws KernelError with ip's words when it refuses. */
export async function loadWithIp(objPath: string, options: IpLoadOptions): Promise<IpLoadHandle> {
  requireObject(objPath);
  const owned = options.netns === undefined;
  const netns = options.netns ?? (await createNetns(options.hook));
  const dev = options.dev ?? "lo";
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    let output: string;
    let progId: number | undefined;
    let candidateIds: number[];
    let detach: string[];
    if (options.hook === "xdp") {
      const mode = options.xdpMode ?? "xdp";
      const args = ["link", "set", "dev", dev, mode, "obj", objPath, "sec", options.section];
      const r = await netns.ip(args, { timeoutMs });
      output = r.stdout + r.stderr;
      progId = await xdpProgId(netns, dev);
      candidateIds = progId === undefined ? [] : [progId];
      detach = ["link", "set", "dev", dev, mode, "off"];
    } else {
      const route = options.route ?? "192.0.2.1/32";
      const dir = options.hook.slice("lwt_".length);
      const before = await programIds();
      const args = ["route", "add", route, "encap", "bpf", dir, "obj", objPath];
      args.push("section", options.section, "dev", dev);
      const r = await netns.ip(args, { timeoutMs });
      output = r.stdout + r.stderr;
      candidateIds = [...(await programIds(options.hook))].filter((id) => !before.has(id));
      progId = candidateIds.length === 1 ? candidateIds[0] : undefined;
      detach = ["route", "del", route];
    }
    return {
      netns,
      hook: options.hook,
      progId,
      candidateIds,
      output,
      btfIgnored: logSaysBtfIgnored(output),
      dispose: async () => {
        if (owned) return netns.dispose();
        await netns.ip(detach);
      },
    };
  } catch (e) {
    if (owned) netns.dispose();
    throw e;
  }
}

interface LinkJson {
  xdp?: { prog?: { id: number }; attached?: { prog?: { id: number } }[] };
}

/** The id of the XDP program on `dev`, from `ip -j -d link show`. */
export async function xdpProgId(netns: Netns, dev: string): Promise<number | undefined> {
  const args = ["-j", "-d", "link", "show", "dev", dev];
  const r = await netns.ip(args);
  const links = parseJson<LinkJson[]>(r.stdout, ["ip", "-n", netns.name, ...args]);
  const xdp = links[0]?.xdp;
  return xdp?.prog?.id ?? xdp?.attached?.[0]?.prog?.id;
}

/** Ids of all loaded programs, optionally only those of one type. */
async function programIds(type?: string): Promise<Set<number>> {
  const args = ["prog", "show", "-j"];
  const r = await run("bpftool", args);
  const progs = parseJson<{ id: number; type: string }[]>(r.stdout, ["bpftool", ...args]);
  if (!Array.isArray(progs)) throw new KernelError("bpftool prog show -j gave no list");
  return new Set(progs.filter((p) => type === undefined || p.type === type).map((p) => p.id));
}
