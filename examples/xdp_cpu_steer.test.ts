// Unit tests of examples/xdp_cpu_steer.ts in the interpreter, as a user
// would run the two stages: the first stage on a frame gives XDP_REDIRECT
// and the cpumap target (the CPU) in r.redirect; the second stage then runs
// on the redirected frame on that CPU. (BPF_PROG_TEST_RUN refuses programs
// with expected attach type BPF_XDP_CPUMAP, so the second stage has no
// kernel run to compare with here: test/e2e/xdp_cpu_steer.test.ts checks it
// with real traffic.)

import { describe, expect, it } from "vitest";
import type { TsbpfObject } from "../runtime/index.js";
import { loadExample } from "./support/build.js";
import { arp, ipBytes, ping4, tcp4, udp4 } from "./support/packets.js";

const CPUS = 2;

/** struct bpf_cpumap_val { qsize, prog }. */
function cpumapVal(qsize: number, prog: number): Uint8Array {
  const v = new Uint8Array(8);
  new DataView(v.buffer).setUint32(0, qsize, true);
  new DataView(v.buffer).setUint32(4, prog, true);
  return v;
}

/** The example's flow hash, written again from its comment (murmur3's finalizer). */
function expectedCpu(src: string, dst: string, proto: number, sport = 0, dport = 0): number {
  const u32 = (a: string) => ipBytes(a).reduce((x, b) => ((x << 8) | b) >>> 0, 0);
  const ports = proto === 6 || proto === 17 ? ((sport << 16) | dport) >>> 0 : 0;
  let h = (u32(src) ^ u32(dst) ^ (proto << 24) ^ ports) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return h % CPUS;
}

function stats(obj: TsbpfObject, slot: number): { packets: bigint; bytes: bigint }[] {
  return obj.maps.cpu_stats!.getPerCpu(slot)!.map((v) => {
    const d = new DataView(v.buffer, v.byteOffset);
    return { packets: d.getBigUint64(0, true), bytes: d.getBigUint64(8, true) };
  });
}

const steered = (obj: TsbpfObject, cpu: number) =>
  new DataView(obj.maps.steered!.get(cpu)!.buffer).getBigUint64(0, true);

function loaded(): TsbpfObject {
  const obj = loadExample("xdp_cpu_steer", { cpus: CPUS });
  const second = obj.program("on_cpu");
  expect(second.section).toBe("xdp/cpumap");
  for (let cpu = 0; cpu < CPUS; cpu++)
    expect(obj.maps.cpus!.set(cpu, cpumapVal(192, second.handle))).toBe(0);
  return obj;
}

describe("xdp_cpu_steer", () => {
  it("has an 8-byte cpumap value (qsize + program), so a CPU can get a second stage", () => {
    const obj = loadExample("xdp_cpu_steer", { cpus: CPUS });
    expect(obj.maps.cpus!.valueSize).toBe(8);
    expect(obj.maps.cpus!.set(0, cpumapVal(192, obj.program("on_cpu").handle))).toBe(0);
    expect(obj.maps.cpus!.set(CPUS, cpumapVal(192, 0))).toBe(-7); // E2BIG: past maxEntries
  });

  it("steers each flow to its CPU, where the second stage counts it by protocol", () => {
    const obj = loaded();
    const [first, second] = [obj.program("steer"), obj.program("on_cpu")];
    const flows = [
      { frame: udp4(7000, { sport: 40000 }), proto: 17, sport: 40000, dport: 7000, slot: 2 },
      { frame: udp4(7000, { sport: 40001 }), proto: 17, sport: 40001, dport: 7000, slot: 2 },
      { frame: tcp4(80, undefined, { sport: 50000 }), proto: 6, sport: 50000, dport: 80, slot: 1 },
      { frame: ping4(), proto: 1, sport: 0, dport: 0, slot: 0 },
    ];
    const cpusSeen = new Set<number>();
    for (const f of flows) {
      const r1 = first.run({ packet: f.frame });
      expect(r1.fault).toBeUndefined();
      expect(r1.action).toBe("XDP_REDIRECT");
      const cpu = r1.redirect?.target?.cpu;
      expect(cpu).toBe(expectedCpu("10.0.0.1", "10.0.0.2", f.proto, f.sport, f.dport));
      cpusSeen.add(cpu!);
      // The kernel hands the same frame to the second stage on that CPU.
      const r2 = second.run({ packet: r1.packet, cpu: cpu! });
      expect(r2.fault).toBeUndefined();
      expect(r2.action).toBe("XDP_PASS");
      const s = stats(obj, f.slot)[cpu!]!;
      expect(s.packets).toBeGreaterThan(0n);
    }
    expect(cpusSeen.size).toBe(2); // these flows use both CPUs
    // Every frame was counted once, in the column of the CPU it was steered to.
    for (let cpu = 0; cpu < CPUS; cpu++) {
      const ran = [0, 1, 2, 3].reduce((n, slot) => n + stats(obj, slot)[cpu]!.packets, 0n);
      expect(ran).toBe(steered(obj, cpu));
    }
    expect(stats(obj, 2).reduce((n, c) => n + c.bytes, 0n)).toBe(
      BigInt(flows[0]!.frame.length + flows[1]!.frame.length),
    );
  });

  it("drops UDP to port 9999 in the second stage", () => {
    const obj = loaded();
    const r1 = obj.program("steer").run({ packet: udp4(9999) });
    expect(r1.action).toBe("XDP_REDIRECT");
    const cpu = r1.redirect!.target!.cpu!;
    const r2 = obj.program("on_cpu").run({ packet: r1.packet, cpu });
    expect(r2.action).toBe("XDP_DROP");
    expect(stats(obj, 4)[cpu]!.packets).toBe(1n);
  });

  it("keeps non-IPv4 frames, and frames whose CPU slot is empty, on the receiving CPU", () => {
    const obj = loadExample("xdp_cpu_steer", { cpus: CPUS });
    const first = obj.program("steer");
    const a = first.run({ packet: arp() });
    expect(a.action).toBe("XDP_PASS");
    expect(a.redirect).toBeUndefined();
    const u = first.run({ packet: udp4(7000) }); // no slot set yet
    expect(u.action).toBe("XDP_PASS");
    expect(steered(obj, 0) + steered(obj, 1)).toBe(0n);
  });
});
