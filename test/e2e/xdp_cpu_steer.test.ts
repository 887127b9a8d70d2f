// examples/xdp_cpu_steer.ts end to end, the way its comment says to set it
// up: bpftool loads and pins both programs (one object, shared maps; libbpf
// gives on_cpu expected attach type BPF_XDP_CPUMAP from its section name),
// examples/support/cpumap_set.py puts on_cpu's fd into every CPU's cpumap
// entry, and ip attaches the pinned first stage to B's veth. Real pings and
// UDP from A then run through both stages: the second stage's per-CPU
// counters, read with bpftool, must hold exactly what the first stage
// steered to each CPU, UDP to 9999 must be dropped there, the rest arrive.

import { cpus } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { EXAMPLES_DIR } from "../../examples/support/build.js";
import {
  dumpMap,
  loadWithBpftool,
  mapInfo,
  run,
  xdpProgId,
  type RunResult,
} from "../../runtime/kernel/index.js";
import { e2eTest } from "./e2e-test.js";
import { mapId, u64At, udpReceiver, udpSend } from "./net.js";

const CPUMAP_SET = join(EXAMPLES_DIR, "support", "cpumap_set.py");
const STEER_CPUS = 2; // CPUS in the example

function cpumapSet(map: number, cpu: number, prog: string): Promise<RunResult> {
  const args = [CPUMAP_SET, `id:${map}`, String(cpu), "192", prog];
  return run("python3", args, { okCodes: [0, 1] });
}

e2eTest(
  "xdp_cpu_steer runs a second stage on the CPU each flow is steered to",
  227,
  async (t, objs) => {
    const loaded = await loadWithBpftool(objs.build("xdp_cpu_steer"), { programName: "steer" });
    try {
      expect(loaded.btfIgnored).toBe(false);
      const onCpu = loaded.programs.find((p) => p.name === "on_cpu")!;
      expect(onCpu.type).toBe("xdp");
      const cpumap = await mapId(loaded.program.id, "cpus");
      expect(await mapInfo(cpumap)).toMatchObject({ type: "cpumap", keySize: 4, valueSize: 8 });

      // The first stage (expected attach type BPF_XDP) is refused as a cpumap program: the
      // kernel fails the entry's setup, which cpu_map_update_elem reports as ENOMEM.
      const refused = await cpumapSet(cpumap, 0, loaded.program.pinPath);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("ENOMEM");
      const usable = Math.min(STEER_CPUS, cpus().length);
      for (let cpu = 0; cpu < usable; cpu++) {
        const r = await cpumapSet(cpumap, cpu, onCpu.pinPath);
        expect(r.stderr).toBe("");
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, prog_id: onCpu.id });
      }

      // Generic XDP: A's veth sends UDP with partial checksums (tx offload), which a native
      // redirect loses in the xdp_frame (B then counts UdpInCsumErrors); the generic path
      // queues the skb itself. nsenter, not `ip -n` (it remounts /sys), so ip sees the pin.
      const attach = ["ip", "link", "set", "dev", t.devB, "xdpgeneric"];
      await t.exec("b", [...attach, "pinned", loaded.program.pinPath]);
      try {
        expect(await xdpProgId(t.b, t.devB)).toBe(loaded.program.id);
        expect((await t.ping("a", 4)).received).toBe(4);
        // Timeouts long enough for a loaded machine's python3 start-up between the senders;
        // the receivers return as soon as they have what they want.
        const dropped = await udpReceiver(t, "b", 9999, { timeoutSec: 10, want: 1 });
        const kept = await udpReceiver(t, "b", 7000, { timeoutSec: 10, want: 8 });
        await udpSend(t, "a", t.ipB, 9999, { count: 3, size: 64 });
        for (let i = 0; i < 4; i++) await udpSend(t, "a", t.ipB, 7000, { count: 2, size: 64 });
        expect((await kept.done()).length).toBe(8); // four sockets: flows that may differ in CPU
        expect((await dropped.done()).length).toBe(0);

        const steered = await dumpMap(await mapId(loaded.program.id, "steered"));
        const stats = await dumpMap(await mapId(onCpu.id, "cpu_stats"));
        const onCpuPackets = (slot: number, cpu: number) =>
          u64At(stats[slot]!.values!.find((v) => v.cpu === cpu)?.value, 0);
        const total = (slot: number) =>
          stats[slot]!.values!.reduce((n, v) => n + u64At(v.value, 0), 0n);
        // Each CPU's column of the second stage holds exactly the frames steered to that CPU.
        let all = 0n;
        for (let cpu = 0; cpu < STEER_CPUS; cpu++) {
          const ran = [0, 1, 2, 3].reduce((n, slot) => n + onCpuPackets(slot, cpu), 0n);
          expect(ran).toBe(u64At(steered[cpu]!.value, 0));
          all += ran;
        }
        for (let cpu = STEER_CPUS; cpu < cpus().length; cpu++)
          expect([0, 1, 2, 3, 4].map((slot) => onCpuPackets(slot, cpu))).toEqual([
            0n,
            0n,
            0n,
            0n,
            0n,
          ]);
        expect(total(0)).toBeGreaterThanOrEqual(4n); // the echo requests
        expect(total(2)).toBeGreaterThanOrEqual(8n + 3n); // UDP, 9999 included
        expect(total(4)).toBe(3n); // dropped on their CPU: UDP to 9999
        expect(all).toBeGreaterThanOrEqual(4n + 11n);
      } finally {
        await t.exec("b", [...attach, "off"]);
      }
    } finally {
      loaded.dispose();
    }
  },
);
