// What the end-to-end tests need around the kernel harness: an example
// compiled to a .o file (as `tsbpf build` writes it), and real UDP traffic
// between the two namespaces of a veth topology with python3's socket
// module (nc and socat may be missing): a receiver with a timeout on one
// side, a sender of a bounded number of datagrams on the other, and a raw
// AF_PACKET capture for checking what arrives at L2.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadWithIp,
  programMaps,
  type IpLoadHandle,
  type Netns,
  type Side,
  type VethTopology,
} from "../../runtime/kernel/index.js";
import { buildExample } from "../../examples/support/build.js";

export interface ObjDir {
  /** Compiles examples/<name>.ts and writes <dir>/<name>.o; returns its path. */
  build(name: string): string;
  dispose(): void;
}

export function objDir(): ObjDir {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-e2e-"));
  return {
    build(name) {
      const path = join(dir, `${name}.o`);
      writeFileSync(path, buildExample(name));
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// Shared by the receivers: yields what arrives until `want` items came, or
// until `grace` seconds have passed without traffic after the test said its
// senders are done (the stop file exists). Before that signal nothing gives
// up (a slow machine may take seconds to start the sender), except a 60 s cap.
const RECEIVE_LOOP = `
import os, socket, time
def receive(s, stop_path, grace, want, recv=lambda s: s.recvfrom(65535)):
    s.settimeout(0.2)
    count, start, quiet_since = 0, time.monotonic(), None
    while count < want and time.monotonic() - start < 60:
        try:
            item = recv(s)
        except socket.timeout:
            if os.path.exists(stop_path):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= grace:
                    break
            continue
        quiet_since = None
        yield item
        count += 1
`;

const RECEIVER = `${RECEIVE_LOOP}
import json, socket, sys
port, timeout, want = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", port))
open(sys.argv[4], "w").close()
got = []
for data, (addr, sport) in receive(s, sys.argv[5], timeout, want):
    got.append({"from": addr, "sport": sport, "len": len(data)})
print(json.dumps(got), flush=True)
`;

const SENDER = `
import socket, sys, time
dst, port, count, size, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sport: s.bind(("0.0.0.0", sport))
for i in range(count):
    try:
        s.sendto(bytes([i & 0xff]) * size, (dst, port))
    except OSError:
        pass  # a drop on our own route (LWT BPF_DROP) fails the send with EPERM
    time.sleep(0.02)
`;

// A UDP sender that waits for answers on the same socket (for reflectors).
const ECHO_CLIENT = `
import json, socket, sys
dst, port, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(timeout)
answers = []
for i in range(count):
    s.sendto(b"ping %d" % i, (dst, port))
    try:
        data, addr = s.recvfrom(65535)
        answers.append({"from": addr[0], "sport": addr[1], "data": data.decode()})
    except socket.timeout:
        pass
print(json.dumps(answers), flush=True)
`;

// Frames arriving on a device, at L2 (before IP), filtered by IPv4 destination.
const CAPTURE = `${RECEIVE_LOOP}
import json, socket, sys
dev, dst, timeout, want = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((dev, 0))
open(sys.argv[5], "w").close()
dst_bytes = socket.inet_aton(dst)
def is_wanted(frame):
    return len(frame) >= 34 and frame[12:14] == b"\\x08\\x00" and frame[30:34] == dst_bytes
got = []
for frame in receive(s, sys.argv[6], timeout, 1 << 30, recv=lambda s: s.recv(65535)):
    if is_wanted(frame):
        got.append(frame[:64].hex())
        if len(got) >= want:
            break
print(json.dumps(got), flush=True)
`;

export interface Datagram {
  from: string;
  sport: number;
  len: number;
}

/** Where a helper runs: a topology, or any namespace wrapped with `inNetns`. */
export type Where = Pick<VethTopology, "exec">;

/** A namespace of one's own as a `Where` (the side argument is ignored). */
export function inNetns(ns: Netns): Where {
  return { exec: (_side, argv, options) => ns.exec(argv, options) };
}

/** A helper still running (a promise inside an async result would be awaited with it). */
export interface Pending<T> {
  done(): Promise<T>;
}

/** Runs a python3 script in a namespace and returns its last stdout line parsed as JSON. */
async function python<T>(
  t: Where,
  side: Side,
  script: string,
  args: string[],
  timeoutMs: number,
): Promise<T> {
  const r = await t.exec(side, ["python3", "-c", script, ...args], { timeoutMs });
  const last = r.stdout.trim().split("\n").at(-1) ?? "[]";
  return JSON.parse(last) as T;
}

/**
 * Starts a UDP receiver on `side` (port) and waits until it is bound.
 * `done()` (call it once the senders finished) returns what arrived, ending
 * `timeoutSec` after the last datagram, or once `want` arrived.
 */
export async function udpReceiver(
  t: Where,
  side: Side,
  port: number,
  opts: { timeoutSec?: number; want?: number } = {},
): Promise<Pending<Datagram[]>> {
  const grace = opts.timeoutSec ?? 2;
  const ready = readyFile();
  const stop = stopFile();
  const args = [String(port), String(grace), String(opts.want ?? 1000), ready.path, stop.path];
  const result = python<Datagram[]>(t, side, RECEIVER, args, 90_000);
  await ready.wait(result);
  return { done: () => stop.signal(result) };
}

/** Sends `count` datagrams of `size` bytes from `side` to dst:port. */
export async function udpSend(
  t: VethTopology,
  side: Side,
  dst: string,
  port: number,
  opts: { count?: number; size?: number; sport?: number } = {},
): Promise<void> {
  const count = Math.min(opts.count ?? 3, 100);
  const args = [dst, String(port), String(count), String(opts.size ?? 16), String(opts.sport ?? 0)];
  await t.exec(side, ["python3", "-c", SENDER, ...args], { timeoutMs: 30_000 });
}

/** Sends `count` datagrams and collects the answers that come back to the same socket. */
export function udpEcho(t: VethTopology, side: Side, dst: string, port: number, count = 3) {
  return python<{ from: string; sport: number; data: string }[]>(
    t,
    side,
    ECHO_CLIENT,
    [dst, String(port), String(Math.min(count, 20)), "1"],
    60_000,
  );
}

/** Captures frames to IPv4 `dst` arriving on `dev` (hex of their first 64 bytes). */
export async function captureFrames(
  t: VethTopology,
  side: Side,
  dev: string,
  dst: string,
  opts: { timeoutSec?: number; want?: number } = {},
): Promise<Pending<string[]>> {
  const ready = readyFile();
  const stop = stopFile();
  const grace = String(opts.timeoutSec ?? 2);
  const args = [dev, dst, grace, String(opts.want ?? 100), ready.path, stop.path];
  const result = python<string[]>(t, side, CAPTURE, args, 90_000);
  await ready.wait(result);
  return { done: () => stop.signal(result) };
}

/**
 * A file the python3 helper creates once its socket is bound (the mount
 * namespace is shared, only the network one is entered), so traffic is sent
 * only when someone listens, however slow the machine is.
 */
function readyFile(): { path: string; wait(helper: Promise<unknown>): Promise<void> } {
  const path = join(tmpdir(), `tsbpf-e2e-ready-${process.pid}-${++readyCount}`);
  return {
    path,
    async wait(helper) {
      let failed: unknown;
      helper.catch((e: unknown) => (failed = e));
      for (let i = 0; i < 300 && !existsSync(path); i++) {
        if (failed) throw failed;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (!existsSync(path)) throw new Error("the python3 helper did not start within 15 s");
      rmSync(path, { force: true });
    },
  };
}
let readyCount = 0;

/**
 * A file that tells a receiver the test's senders are done, so from then on
 * it stops after its grace period without traffic (see RECEIVE_LOOP).
 */
function stopFile(): { path: string; signal<T>(helper: Promise<T>): Promise<T> } {
  const path = join(tmpdir(), `tsbpf-e2e-stop-${process.pid}-${++readyCount}`);
  return {
    path,
    async signal(helper) {
      writeFileSync(path, "");
      try {
        return await helper;
      } finally {
        rmSync(path, { force: true });
      }
    },
  };
}

const TCP_PROBE = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(float(sys.argv[3]))
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("connected")
except ConnectionRefusedError:
    print("refused")
except (socket.timeout, TimeoutError):
    print("timeout")
`;

/**
 * One TCP connection attempt: "connected" (a listener answered), "refused"
 * (the SYN arrived, no listener: RST) or "timeout" (the SYN went missing).
 */
export async function tcpProbe(
  t: VethTopology,
  side: Side,
  dst: string,
  port: number,
): Promise<"connected" | "refused" | "timeout"> {
  const r = await t.exec(side, ["python3", "-c", TCP_PROBE, dst, String(port), "1.5"], {
    timeoutMs: 30_000,
  });
  return r.stdout.trim() as "connected" | "refused" | "timeout";
}

/** Options of every end-to-end test: the tools they use and room for real traffic. */
export const E2E = { tools: ["ping", "nsenter", "python3"], timeout: 120_000 } as const;

/** The kernel id of the map called `name` used by program `progId`. */
export async function mapId(progId: number | undefined, name: string): Promise<number> {
  if (progId === undefined) throw new Error("the program's id is unknown");
  const maps = await programMaps(progId);
  const m = maps.find((x) => x.name === name.slice(0, 15));
  if (!m)
    throw new Error(`program ${progId} has no map ${name} (${maps.map((x) => x.name).join(", ")})`);
  return m.id;
}

/** Little-endian u64 at `offset` of a map value. */
export function u64At(v: Uint8Array | undefined, offset = 0): bigint {
  if (!v) return 0n;
  return new DataView(v.buffer, v.byteOffset, v.byteLength).getBigUint64(offset, true);
}

/** Routes A's traffic to B's address through an LWT xmit object (`ip route add <B>/32 encap bpf xmit obj`). */
export function routeThroughLwt(t: VethTopology, obj: string): Promise<IpLoadHandle> {
  return loadWithIp(obj, {
    hook: "lwt_xmit",
    section: "lwt_xmit",
    netns: t.a,
    dev: t.devA,
    route: `${t.ipB}/32`,
  });
}
