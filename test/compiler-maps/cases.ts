// The expectations of every program under test/fixtures/compiler-maps:
// packets with the return value the kernel must give, then the map contents
// read back (hex key -> value bytes, little-endian numbers).

import { expect } from "vitest";
import { run, updateMap } from "../../runtime/kernel/index.js";
import { ETH_P_IP, ICMP, MAC_A, TCP, UDP, eth, ipv4, tcp, udp } from "../compiler/packets.js";
import { entriesOf, le, type MapsCase, type SetupEnv } from "./harness.js";

const PASS = 2;
const DROP = 1;
const ABORTED = 0;
const REDIRECT = 4;

const udpFrom = (src: number[], sport = 1000, dport = 53, ttl = 64) =>
  eth(ETH_P_IP, ipv4(UDP, udp(sport, dport, [1, 2, 3, 4]), { src, ttl }));
const A = [10, 0, 0, 1];
const B = [10, 0, 0, 9];
const arp = eth(0x0806, Array(28).fill(0));
const bytes = (...xs: number[]) => Uint8Array.from(xs);
const u32 = (v: number) => Uint8Array.from(le(v, 4));

/**
 * A fresh inner map pinned in the load's pin dir (the object's own template
 * map is freed when bpftool exits: no program uses it), stored in `outer`.
 */
async function innerMap(env: SetupEnv, outer: string, key: number, spec: string[], name: string) {
  const pin = `${env.pinDir}/${name}`;
  await run("bpftool", ["map", "create", pin, ...spec, "name", name]);
  const id = (
    JSON.parse((await run("bpftool", ["map", "show", "pinned", pin, "-j"])).stdout) as {
      id: number;
    }
  ).id;
  env.addMap(name, id);
  await setFd(env.mapId(outer), key, ["id", String(id)]);
}

/** `bpftool map update id M key K value <pinned P | id N>` (fd-valued maps). */
async function setFd(map: number, key: number, what: string[]) {
  await run("bpftool", [
    "map",
    "update",
    "id",
    String(map),
    "key",
    ...le(key, 4).map(String),
    "value",
    ...what,
  ]);
}

export const CASES: MapsCase[] = [
  {
    file: "ip_counter.ts",
    type: "xdp",
    runs: [
      { name: "a", packet: udpFrom(A), retval: PASS },
      { name: "a again", packet: udpFrom(A), retval: PASS },
      { name: "b", packet: udpFrom(B), retval: PASS },
    ],
    maps: { counts: { "0a000001": le(2, 8), "0a000009": le(1, 8) } },
  },
  {
    file: "flow_table.ts",
    type: "xdp",
    runs: [
      { name: "flow 1", packet: udpFrom(A, 1000, 53), retval: PASS },
      { name: "flow 1 again", packet: udpFrom(A, 1000, 53), retval: PASS },
      { name: "flow 2", packet: udpFrom(A, 1001, 53), retval: PASS },
    ],
    maps: {
      // saddr daddr sport dport proto, then 3 padding bytes the compiler zeroed
      flows: {
        "0a0000010a00000203e8003511000000": [...le(2, 8), ...le(64, 8)],
        "0a0000010a00000203e9003511000000": [...le(1, 8), ...le(32, 8)],
      },
    },
  },
  {
    file: "lpm_blocklist.ts",
    type: "xdp",
    setup: async ({ mapId }) =>
      updateMap(mapId("blocklist"), bytes(8, 0, 0, 0, 10, 0, 0, 0), bytes(...le(0, 8))),
    interpSetup: (obj) =>
      obj.maps["blocklist"]!.set(bytes(8, 0, 0, 0, 10, 0, 0, 0), bytes(...le(0, 8))),
    runs: [
      { name: "inside 10/8", packet: udpFrom(A), retval: DROP },
      { name: "outside", packet: udpFrom([192, 168, 0, 1]), retval: PASS },
    ],
    maps: { blocklist: { "080000000a000000": le(1, 8) } },
  },
  {
    file: "token_bucket.ts",
    type: "xdp",
    runs: [
      { name: "token 1", packet: udpFrom(A), retval: PASS },
      { name: "token 2", packet: udpFrom(A), retval: PASS },
      { name: "empty", packet: udpFrom(A), retval: DROP },
      { name: "still empty", packet: udpFrom(A), retval: DROP },
    ],
    maps: {
      buckets: (entries) => {
        const v = entriesOf(entries)["00000000"]!;
        expect(v.slice(0, 8)).toEqual(le(0, 8));
        expect(v.slice(8).some((b) => b !== 0)).toBe(true);
      },
    },
  },
  {
    file: "percpu_stats.ts",
    type: "xdp",
    runs: [
      { name: "ip", packet: udpFrom(A), retval: PASS },
      { name: "ip 2", packet: udpFrom(B), retval: PASS },
      { name: "arp", packet: arp, retval: PASS },
    ],
    maps: {
      stats: { "00000000": [...le(2, 8), ...le(200, 8)], "01000000": [...le(1, 8), ...le(100, 8)] },
    },
  },
  {
    file: "ringbuf_events.ts",
    type: "xdp",
    runs: [
      { name: "ipv4 event", packet: udpFrom(A), retval: DROP },
      { name: "not ip", packet: arp, retval: PASS },
    ],
    interpCheck: (obj) => {
      const recs = obj.maps["events"]!.consume().map((r) => [...r]);
      expect(recs).toEqual([[10, 0, 0, 1, 10, 0, 0, 2, UDP, 64, 0, 0], le(0xabcd, 4)]);
    },
  },
  {
    file: "devmap_redirect.ts",
    type: "xdp",
    setup: async ({ mapId }) => updateMap(mapId("ports"), u32(0), u32(1)),
    interpSetup: (obj) => obj.maps["ports"]!.set(0, u32(1)),
    runs: [
      { name: "dns via slot 0", packet: udpFrom(A, 1000, 53), retval: REDIRECT },
      { name: "empty slot 1", packet: udpFrom(A, 1000, 54), retval: PASS },
    ],
  },
  {
    file: "tail_calls.ts",
    type: "xdp",
    setup: async ({ mapId, pinDir }) => {
      // A program array is flushed when its last user reference goes: pin it for the runs.
      await run("bpftool", ["map", "pin", "id", String(mapId("jumps")), `${pinDir}/jumps`]);
      await setFd(mapId("jumps"), 0, ["pinned", `${pinDir}/stage1`]);
      await setFd(mapId("jumps"), 1, ["pinned", `${pinDir}/stage2`]);
    },
    interpSetup: (obj) => {
      obj.maps["jumps"]!.set(0, u32(obj.program("stage1").handle));
      obj.maps["jumps"]!.set(1, u32(obj.program("stage2").handle));
    },
    runs: [{ name: "chain", packet: udpFrom(A), retval: DROP }],
    maps: { visits: { "00000000": le(1, 8), "01000000": le(1, 8), "02000000": le(1, 8) } },
  },
  {
    file: "dynptr_parser.ts",
    type: "xdp",
    runs: [
      { name: "udp", packet: udpFrom(A), retval: PASS },
      { name: "tcp", packet: eth(ETH_P_IP, ipv4(TCP, tcp(1, 2))), retval: DROP },
      { name: "short", packet: eth(0x0800, Array(10).fill(0)), retval: PASS },
    ],
  },
  {
    file: "range_loop.ts",
    type: "xdp",
    // n = last byte of the destination MAC (0x0b): 0 + 1 + ... + 10
    runs: [{ name: "sum", packet: udpFrom(A), retval: PASS }],
    maps: { results: { "00000000": le(55, 8) } },
  },
  {
    file: "globals.ts",
    type: "xdp",
    runs: [
      { name: "ip", packet: udpFrom(A), retval: PASS },
      { name: "ip 2", packet: udpFrom(A), retval: PASS },
      { name: "arp", packet: arp, retval: PASS },
    ],
    maps: {
      ".bss": { "00000000": [...le(3, 8), ...le(2, 4)] },
      ".data": { "00000000": le(106, 4) },
    },
  },
  {
    file: "lru_hash.ts",
    type: "xdp",
    runs: [{ name: "ttl", packet: udpFrom(A), retval: PASS }],
    maps: { lastTtl: { "0a000002": le(64, 4) } },
  },
  {
    file: "lru_percpu_hash.ts",
    type: "xdp",
    runs: [
      { name: "a", packet: udpFrom(A), retval: PASS },
      { name: "a again", packet: udpFrom(A), retval: PASS },
    ],
    maps: { perSource: { "0a000001": le(2, 8) } },
  },
  {
    file: "percpu_hash.ts",
    type: "xdp",
    runs: [
      { name: "udp", packet: udpFrom(A), retval: PASS },
      { name: "udp 2", packet: udpFrom(B), retval: PASS },
    ],
    maps: { perProto: { "11000000": le(64, 8) } },
  },
  {
    file: "queue_fifo.ts",
    type: "xdp",
    runs: [
      { name: "push 64", packet: udpFrom(A, 1, 2, 64), retval: PASS },
      { name: "push 50", packet: udpFrom(A, 1, 2, 50), retval: PASS },
      { name: "pop", packet: udpFrom(A, 1, 2, 1), retval: DROP },
    ],
    maps: { popped: { "00000000": le(64, 4) } },
  },
  {
    file: "stack_lifo.ts",
    type: "xdp",
    runs: [
      { name: "push 64", packet: udpFrom(A, 1, 2, 64), retval: PASS },
      { name: "push 50", packet: udpFrom(A, 1, 2, 50), retval: PASS },
      { name: "peek+pop", packet: udpFrom(A, 1, 2, 1), retval: DROP },
    ],
    maps: { seen: { "00000000": le(50, 4), "01000000": le(50, 4) } },
  },
  {
    file: "bloom_filter.ts",
    type: "xdp",
    runs: [
      { name: "new a", packet: udpFrom(A), retval: PASS },
      { name: "seen a", packet: udpFrom(A), retval: DROP },
      { name: "new b", packet: udpFrom(B), retval: PASS },
    ],
  },
  {
    file: "array_of_maps.ts",
    type: "xdp",
    setup: (env) =>
      innerMap(
        env,
        "outer",
        0,
        ["type", "array", "key", "4", "value", "8", "entries", "1"],
        "inner",
      ),
    interpSetup: (obj) => obj.maps["outer"]!.set(0, u32(obj.maps["inner"]!.raw.id)),
    runs: [
      { name: "1", packet: udpFrom(A), retval: PASS },
      { name: "2", packet: udpFrom(A), retval: PASS },
    ],
    maps: { inner: { "00000000": le(2, 8) } },
  },
  {
    file: "hash_of_maps.ts",
    type: "xdp",
    setup: (env) =>
      innerMap(
        env,
        "tables",
        7,
        ["type", "hash", "key", "4", "value", "4", "entries", "16"],
        "template",
      ),
    interpSetup: (obj) => obj.maps["tables"]!.set(7, u32(obj.maps["template"]!.raw.id)),
    runs: [{ name: "record", packet: udpFrom(A), retval: PASS }],
    maps: { template: { "0a000001": le(1, 4) } },
  },
  {
    file: "perf_output.ts",
    type: "xdp",
    runs: [{ name: "sample", packet: udpFrom(A), retval: PASS }],
    maps: { status: { "00000000": le(-2, 8) } },
  },
  {
    file: "cpumap_redirect.ts",
    type: "xdp",
    // struct bpf_cpumap_val: qsize 192, no second-stage program (fd 0).
    setup: async ({ mapId }) => updateMap(mapId("cpus"), u32(0), Uint8Array.from(le(192, 8))),
    interpSetup: (obj) => obj.maps["cpus"]!.set(0, Uint8Array.from(le(192, 8))),
    runs: [{ name: "to cpu 0", packet: udpFrom(A), retval: REDIRECT }],
  },
  {
    file: "xskmap_redirect.ts",
    type: "xdp",
    runs: [{ name: "no socket", packet: udpFrom(A), retval: PASS }],
  },
  {
    file: "devmap_hash.ts",
    type: "xdp",
    setup: async ({ mapId }) => updateMap(mapId("byMac"), u32(0x0b), u32(1)),
    interpSetup: (obj) => obj.maps["byMac"]!.set(0x0b, u32(1)),
    runs: [
      { name: "known mac", packet: udpFrom(A), retval: REDIRECT },
      { name: "unknown mac", packet: eth(ETH_P_IP, ipv4(UDP, udp(1, 2)), MAC_A), retval: PASS },
    ],
  },
  {
    file: "atomics.ts",
    type: "xdp",
    runs: [
      { name: "1", packet: udpFrom(A), retval: PASS },
      { name: "2", packet: udpFrom(A), retval: PASS },
    ],
    maps: {
      cells: {
        "00000000": [
          ...le(6, 8),
          ...le(0x11, 8),
          ...le(0, 8),
          ...le(0, 4),
          ...le(9, 4),
          ...le(42, 8),
          ...le(81, 8),
        ],
      },
    },
  },
  {
    file: "bpf_loop_cb.ts",
    type: "xdp",
    runs: [{ name: "loop", packet: udpFrom(A), retval: PASS }],
    maps: { out: { "00000000": [...le(45, 8), ...le(10, 8)] } },
  },
  {
    file: "for_each_elem.ts",
    type: "xdp",
    runs: [{ name: "sum", packet: udpFrom(A), retval: PASS }],
    maps: { ".bss": { "00000000": le(42, 8) } },
  },
  {
    file: "padded_key.ts",
    type: "xdp",
    runs: [
      { name: "new", packet: udpFrom(A), retval: PASS },
      { name: "hit", packet: udpFrom(A), retval: DROP },
    ],
    maps: { seen: { "110000000a000001": le(2, 4) } },
  },
  {
    file: "rodata_config.ts",
    type: "xdp",
    runs: [
      { name: "blocked port", packet: udpFrom(A, 1000, 53), retval: DROP },
      { name: "other port", packet: udpFrom(A, 1000, 54), retval: PASS },
    ],
    maps: { ".rodata": { "00000000": le(53, 2) } },
  },
  {
    file: "spin_lock.ts",
    type: "xdp",
    runs: [
      { name: "1", packet: udpFrom(A), retval: PASS },
      { name: "2", packet: udpFrom(A), retval: PASS },
    ],
    maps: { guarded: { "00000000": [...le(0, 4), ...le(2, 4), ...le(128, 8)] } },
  },
  {
    file: "timer.ts",
    type: "xdp",
    // bpf_timer_init needs a user reference on the map (-EPERM without): pin it.
    setup: async ({ mapId, pinDir }) => {
      await run("bpftool", ["map", "pin", "id", String(mapId("armed")), `${pinDir}/armed`]);
    },
    // Interpreter: the callback fires when the clock passes 1 us after the start.
    interpCheck: (obj) => {
      obj.advanceClock(1_000_000);
      expect([...obj.maps["armed"]!.get(0)!.slice(16, 24)]).toEqual(le(1, 8));
      expect(obj.advanceClock(1_000_000)).toBe(0);
    },
    runs: [
      { name: "arms the timer", packet: udpFrom(A), retval: PASS },
      { name: "already armed (-EBUSY)", packet: udpFrom(A), retval: DROP },
    ],
    maps: {
      armed: async (_entries, dumpAgain) => {
        // The callback runs 1 us after the first packet, on a kernel timer: once.
        await new Promise((r) => setTimeout(r, 200));
        const v = entriesOf(await dumpAgain())["00000000"]!;
        expect(v.slice(16, 24)).toEqual(le(1, 8));
      },
    },
  },
  {
    file: "lwt_counter.ts",
    type: "lwt_xmit",
    runs: [
      { name: "udp", packet: udpFrom(A), retval: 0 },
      { name: "icmp", packet: eth(ETH_P_IP, ipv4(ICMP, [8, 0, 0, 0, 0, 0, 0, 0])), retval: 2 },
    ],
    maps: { perProto: { "11000000": le(1, 8), "01000000": le(1, 8) } },
  },
];

void ABORTED;
