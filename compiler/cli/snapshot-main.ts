// The entry of tsbpf's start-up snapshot. `npm run build` bundles this file
// (scripts/build-snapshot.ts) and runs it under `node --build-snapshot`: the
// whole CLI and ts-morph are loaded, and a few programs are compiled, so the
// stdlib's SourceFiles are parsed and bound and the functions a compile runs
// have bytecode. V8 saves that heap in dist/snapshot/tsbpf.blob, and
// bin/tsbpf starts `node --snapshot-blob tsbpf.blob -- <args>`, which
// resumes from it in about a third of a cold start's CPU time.
//
// At run time the deserialized process first checks that no file bundled
// into the snapshot changed since (a `tsc` without `npm run build`, a
// ts-morph upgrade); if one did, it runs the plain CLI in a child process
// instead, so a stale snapshot can only cost time, never change a result.

import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { startupSnapshot } from "node:v8";
import { compile } from "../index.js";
import { runMain } from "./main.js";

/** A file the snapshot was built from, as it was then. */
interface BundledInput {
  path: string;
  size: number;
  mtimeMs: number;
}

/** Where bundled modules find their `import.meta.url`: set from the blob's location. */
declare global {
  var __tsbpfDistRoot: string | undefined;
}

// Programs compiled while the snapshot is built: between them they use
// headers, maps, helpers, loops and calls, so most of the compiler's code
// and the stdlib's declarations are loaded, parsed, bound and compiled.
const WARM_UP = `import {
  xdp,
  XdpAction,
  HashMap,
  BPF_NOEXIST,
  atomicAdd,
  htons,
  ETH_P_IP,
  IPPROTO_TCP,
  type EthHdr,
  type Ipv4Hdr,
  type TcpHdr,
  type XdpContext,
} from "tsbpf";

const seen = new HashMap<be32, u64>({ maxEntries: 64 });

function l4Offset(ctx: XdpContext): u32 {
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip || ip.ver_ihl !== 0x45) return 0;
  return 34;
}

export const warm = xdp((ctx) => {
  const eth = ctx.header<EthHdr>(0);
  if (!eth || eth.h_proto !== htons(ETH_P_IP)) return XdpAction.PASS;
  const ip = ctx.header<Ipv4Hdr>(14);
  if (!ip) return XdpAction.PASS;
  let sum: u32 = 0;
  for (let i = 0; i < 4; i++) sum += ip.ttl >> i;
  const count = seen.lookup(ip.saddr);
  if (!count) seen.update(ip.saddr, sum, BPF_NOEXIST);
  else atomicAdd(count, 1);
  if (ip.protocol !== IPPROTO_TCP) return XdpAction.PASS;
  const tcp = ctx.header<TcpHdr>(l4Offset(ctx) & 0x3f);
  return tcp && tcp.dest === htons(22) ? XdpAction.DROP : XdpAction.PASS;
});
`;

function warmUp(): void {
  const r = compile({ fileName: "/tsbpf-snapshot-warm-up/warm.ts", text: WARM_UP });
  // A warm-up that stops early warms less; the stdlib or the subset changed under it.
  if (!r.object)
    throw new Error(`warm-up program: ${r.diagnostics.map((d) => d.message).join("; ")}`);
}

/** The files bundled into the snapshot, as scripts/build-snapshot.ts found them. */
function readInputs(): BundledInput[] {
  const file = process.env["TSBPF_SNAPSHOT_INPUTS"];
  if (!file) throw new Error("TSBPF_SNAPSHOT_INPUTS is not set (run scripts/build-snapshot.ts)");
  return JSON.parse(readFileSync(file, "utf8")) as BundledInput[];
}

function unchanged(inputs: readonly BundledInput[]): boolean {
  try {
    return inputs.every((f) => {
      const st = statSync(f.path);
      return st.size === f.size && st.mtimeMs === f.mtimeMs;
    });
  } catch {
    return false;
  }
}

/** The path after `--snapshot-blob` on node's command line. */
function blobPath(): string | undefined {
  const at = process.execArgv.indexOf("--snapshot-blob");
  return at >= 0 ? process.execArgv[at + 1] : undefined;
}

/** The plain CLI in a child process, for a snapshot older than dist/: slower, same result. */
function runWithoutSnapshot(distRoot: string, argv: readonly string[]): void {
  const main = join(distRoot, "compiler", "cli", "main.js");
  const r = spawnSync(process.execPath, [main, ...argv], { stdio: "inherit" });
  if (r.signal) process.kill(process.pid, r.signal);
  process.exitCode = r.status ?? 1;
}

if (startupSnapshot.isBuildingSnapshot()) {
  const inputs = readInputs();
  warmUp();
  startupSnapshot.setDeserializeMainFunction(() => {
    const argv = process.argv.slice(1); // node --snapshot-blob B -- args: argv is [node, ...args]
    const blob = blobPath();
    // dist/snapshot/tsbpf.blob: dist/ is two levels up.
    const distRoot = blob ? dirname(dirname(resolve(blob))) : undefined;
    if (!distRoot || !unchanged(inputs)) {
      if (distRoot) runWithoutSnapshot(distRoot, argv);
      else process.stderr.write("tsbpf: started from a snapshot without --snapshot-blob\n");
      return;
    }
    globalThis.__tsbpfDistRoot = distRoot;
    runMain(argv);
  });
}
