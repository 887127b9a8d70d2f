// Interpreter vs kernel on every clang fixture (test/fixtures/clang): each
// object loaded fresh on both sides, then every packet of packets.ts run
// in sequence on both (the kernel through BPF_PROG_TEST_RUN pinned to CPU 0,
// the interpreter on CPU 0 with as many CPUs as the kernel has), comparing
// after each packet the return value, data_out and every map (dumped bytes;
// per-CPU maps per CPU). A mismatch prints both sides. Interpreter runs
// that stop on a helper or kfunc the runtime lacks are reported as NOT
// COMPARED (printed, not counted as agreeing).
//
// Reproduce: sudo npx vitest run test/runtime/kernel-compare.test.ts

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { loadObject } from "../../runtime/index.js";
import { loadWithBpftool, programMaps, type MapInfo } from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { interpSnapshot } from "./interp-side.js";
import { hex, kernelNameMatches, kernelSnapshot, kernelTestRun } from "./kernel-side.js";
import { PACKETS } from "./packets.js";

const DIR = join(import.meta.dirname, "../fixtures/clang");

/** Fixture -> bpftool type (every fixture is XDP, LWT, tc or socket). */
const FIXTURES: Record<string, string> = {
  xdp_basic: "xdp",
  maps: "xdp",
  redirect: "xdp",
  calls: "xdp",
  atomics: "xdp",
  v4_alu: "xdp",
  gotol: "xdp",
  endian: "xdp",
  kfunc: "xdp",
  globals: "lwt_xmit",
  loops: "tc",
  socket_ld: "socket",
};

function possibleCpus(): number {
  const text = readFileSync("/sys/devices/system/cpu/possible", "utf8").trim();
  return Math.max(...text.split(",").map((r) => Number(r.split("-").pop()))) + 1;
}

const summary: string[] = [];
afterAll(() => {
  if (summary.length) console.log(`interpreter vs kernel:\n${summary.join("\n")}`);
});

describeKernel("interpreter agrees with the kernel on the clang fixtures", () => {
  for (const [fixture, type] of Object.entries(FIXTURES)) {
    kernelTest(
      fixture,
      async () => {
        const path = join(DIR, `${fixture}.o`);
        const handle = await loadWithBpftool(path, { type });
        try {
          const infos = await programMaps(handle);
          const obj = loadObject(path, { cpus: possibleCpus() });
          const prog = obj.programs.find((p) => p.name === handle.program.name) ?? obj.programs[0]!;
          let agree = 0;
          const notCompared: string[] = [];
          for (const pkt of PACKETS) {
            const ours = prog.run({ packet: pkt.bytes, cpu: 0 });
            if (ours.fault?.message.includes("is not implemented by the runtime")) {
              notCompared.push(`${pkt.name}: ${ours.fault.message}`);
              await kernelTestRun(handle.program.pinPath, pkt.bytes).catch(() => undefined);
              continue;
            }
            let kernel: { retval: number; packet: string } | { refused: string };
            try {
              const k = await kernelTestRun(handle.program.pinPath, pkt.bytes);
              kernel = { retval: k.retval, packet: hex(k.dataOut) };
            } catch (e) {
              kernel = { refused: e instanceof Error ? e.message.split("\n")[0]! : String(e) };
            }
            const interp =
              ours.fault?.kind === "load"
                ? { refused: ours.fault.message }
                : {
                    retval: ours.retval,
                    packet: hex(ours.packet),
                    ...(ours.fault ? { fault: ours.fault.message } : {}),
                  };
            const maps = await compareMaps(obj.maps, infos);
            const sameRun =
              "refused" in kernel
                ? "refused" in interp
                : JSON.stringify(interp) === JSON.stringify(kernel);
            const label = `${fixture} / ${pkt.name}`;
            expect
              .soft(sameRun ? interp : { interpreter: interp }, `${label}: run`)
              .toEqual(sameRun ? interp : { interpreter: kernel });
            for (const m of maps) {
              expect.soft({ map: m.name, interpreter: m.ours }, `${label}: map ${m.name}`).toEqual({
                map: m.name,
                interpreter: m.kernel,
              });
            }
            if (sameRun && maps.every((m) => JSON.stringify(m.ours) === JSON.stringify(m.kernel)))
              agree++;
          }
          const skipped = notCompared.length
            ? `, ${notCompared.length} NOT COMPARED (${notCompared[0]})`
            : "";
          summary.push(`  ${fixture}: ${agree}/${PACKETS.length} packets agree${skipped}`);
        } finally {
          handle.dispose();
        }
      },
      { timeout: 120_000 },
    );
  }
});

interface MapComparison {
  name: string;
  ours: unknown;
  kernel: unknown;
}

async function compareMaps(
  ours: ReturnType<typeof loadObject>["maps"],
  infos: MapInfo[],
): Promise<MapComparison[]> {
  const out: MapComparison[] = [];
  for (const [name, m] of Object.entries(ours)) {
    const info = infos.find((i) => kernelNameMatches(name, i.name));
    if (!info) {
      out.push({
        name,
        ours: "present",
        kernel: `no kernel map (kernel has ${infos.map((i) => i.name).join(", ")})`,
      });
      continue;
    }
    const k = await kernelSnapshot(info);
    if (typeof k === "string") continue; // ring buffers, prog arrays: bpftool cannot dump them
    out.push({ name, ours: interpSnapshot(m), kernel: k });
  }
  return out;
}
