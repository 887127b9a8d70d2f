// A two-namespace topology for end-to-end tests: namespaces A and B joined
// by a veth pair (veth0 in A, veth1 in B), with addresses the test chooses.
// Both devices live only in namespaces the harness made, so the host's
// network is never touched; everything goes away on dispose or at exit.

import { createNetns, type Netns } from "./netns.js";
import { loadWithIp, type IpLoadHandle, type XdpMode } from "./ip-load.js";
import type { RunOptions, RunResult } from "./exec.js";

export type Side = "a" | "b";

export interface VethOptions {
  /** CIDR address of veth0 in A; default 10.200.0.1/24. */
  addressA?: string;
  /** CIDR address of veth1 in B; default 10.200.0.2/24. */
  addressB?: string;
}

export interface PingResult {
  transmitted: number;
  received: number;
  output: string;
}

export interface VethTopology {
  a: Netns;
  b: Netns;
  devA: string;
  devB: string;
  /** Addresses without prefix length, for ping. */
  ipA: string;
  ipB: string;
  exec(side: Side, argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** `ping -c count -W 1` from `from` to the other side; never throws on loss. */
  ping(from: Side, count?: number): Promise<PingResult>;
  /** Attaches an XDP program with ip to the device of `side`. */
  attachXdp(side: Side, objPath: string, section: string, mode?: XdpMode): Promise<IpLoadHandle>;
  dispose(): void;
}

const MAX_PINGS = 10;

export async function createVethTopology(options: VethOptions = {}): Promise<VethTopology> {
  const addressA = options.addressA ?? "10.200.0.1/24";
  const addressB = options.addressB ?? "10.200.0.2/24";
  const a = await createNetns("a");
  let b: Netns | undefined;
  try {
    b = await createNetns("b");
    // Created inside A with its peer placed straight into B: no name ever
    // appears in the host namespace, so parallel runs cannot clash.
    await a.ip(["link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", b.name]);
    await a.ip(["addr", "add", addressA, "dev", "veth0"]);
    await b.ip(["addr", "add", addressB, "dev", "veth1"]);
    await a.ip(["link", "set", "dev", "veth0", "up"]);
    await b.ip(["link", "set", "dev", "veth1", "up"]);
  } catch (e) {
    b?.dispose();
    a.dispose();
    throw e;
  }
  const nsB = b;
  const ns = (side: Side) => (side === "a" ? a : nsB);
  const ipA = addressA.split("/")[0]!;
  const ipB = addressB.split("/")[0]!;
  return {
    a,
    b: nsB,
    devA: "veth0",
    devB: "veth1",
    ipA,
    ipB,
    exec: (side, argv, opts) => ns(side).exec(argv, opts),
    ping: async (from, count = 3) => {
      const n = Math.max(1, Math.min(count, MAX_PINGS));
      const to = from === "a" ? ipB : ipA;
      // ping exits 1 when replies are missing; that is a result, not an error.
      const r = await ns(from).exec(["ping", "-n", "-c", String(n), "-W", "1", "-i", "0.2", to], {
        okCodes: [0, 1],
        timeoutMs: 5_000 + n * 1_500,
      });
      return parsePing(r.stdout + r.stderr);
    },
    attachXdp: (side, objPath, section, mode) =>
      loadWithIp(objPath, {
        hook: "xdp",
        section,
        netns: ns(side),
        dev: side === "a" ? "veth0" : "veth1",
        ...(mode ? { xdpMode: mode } : {}),
      }),
    dispose: () => {
      nsB.dispose();
      a.dispose();
    },
  };
}

/** Reads "N packets transmitted, M received" from ping's summary. */
export function parsePing(output: string): PingResult {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  if (!m) return { transmitted: 0, received: 0, output };
  return { transmitted: Number(m[1]), received: Number(m[2]), output };
}
