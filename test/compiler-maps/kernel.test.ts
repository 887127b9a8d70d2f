// Every program under test/fixtures/compiler-maps is compiled, loaded by the
// kernel's verifier (bpftool; failing if libbpf dropped the BTF), run with
// BPF_PROG_TEST_RUN on the case's packets, its maps read back with bpftool,
// then attached through Debian's ip. The same object runs in the bundled
// interpreter and must agree (return values and map contents) unless the
// case says why not. Kernel-gated: prints SKIPPED without kernel access.
// Reproduce one: npx tsx -e 'compile(...)', then
//   bpftool prog loadall X.o /sys/fs/bpf/x type xdp; bpftool prog run pinned ... data_in pkt

import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { loadObject } from "../../runtime/index.js";
import {
  dumpMap,
  loadWithBpftool,
  loadWithIp,
  programMaps,
  run,
  testRun,
  xdpMd,
} from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { buildObject } from "../compiler/compile-fixture.js";
import { CASES } from "./cases.js";
import { DIR, entriesOf, hex, type MapsCase, sumPerCpu } from "./harness.js";

async function checkMap(
  name: string,
  id: number,
  want: NonNullable<MapsCase["maps"]>[string],
): Promise<void> {
  const entries = await dumpMap(id);
  if (typeof want === "function") {
    await want(entries, () => dumpMap(id));
    return;
  }
  const got = entriesOf(entries);
  for (const [k, v] of Object.entries(want)) expect(got[k], `${name}[${k}]`).toEqual(v);
}

describeKernel("compiled map programs in the kernel", () => {
  kernelTest("every fixture program has a case", () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".ts"))
      .sort();
    expect(files).toEqual(CASES.map((c) => c.file).sort());
  });

  for (const c of CASES) {
    const program = c.program ?? basename(c.file, ".ts");
    kernelTest(
      `${c.file}: verified, runs, maps read back, loads through ip`,
      async () => {
        const { objPath, result } = buildObject(join(DIR, c.file));
        const h = await loadWithBpftool(objPath, { type: c.type, programName: program });
        try {
          expect(h.btfIgnored).toBe(false);
          const maps = await programMaps(h.program);
          const all = new Map<string, number>();
          for (const p of h.programs) for (const m of await programMaps(p)) all.set(m.name, m.id);
          for (const m of maps) all.set(m.name, m.id);
          // Maps no program uses (inner-map templates) are found among all maps by name.
          const shown = JSON.parse((await run("bpftool", ["map", "show", "-j"])).stdout) as {
            id: number;
            name: string;
          }[];
          for (const m of shown.sort((a, b) => a.id - b.id))
            if (!all.has(m.name) || m.id > all.get(m.name)!) all.set(m.name, m.id);
          for (const m of maps) all.set(m.name, m.id);
          const mapId = (name: string) => {
            const id = all.get(name) ?? [...all].find(([n]) => n.endsWith(name))?.[1];
            if (id === undefined) throw new Error(`no map ${name} (have ${[...all.keys()]})`);
            return id;
          };
          await c.setup?.({ mapId, pinDir: h.pinDir, addMap: (n, id) => void all.set(n, id) });
          for (const run of c.runs) {
            const data = Uint8Array.from(run.packet);
            const ctx = c.type === "xdp" ? xdpMd({ packetLength: data.length }) : undefined;
            const r = await testRun(h, { data, ...(ctx ? { ctx } : {}) });
            expect(r.retval, run.name).toBe(run.retval);
            if (run.out) expect([...r.dataOut], run.name).toEqual(run.out);
          }
          for (const [name, want] of Object.entries(c.maps ?? {}))
            await checkMap(name, mapId(name), want);
        } finally {
          h.dispose();
        }
        const ip = await loadWithIp(objPath, {
          hook: c.type === "xdp" ? "xdp" : "lwt_xmit",
          section: c.type === "xdp" ? "xdp" : "lwt_xmit",
        });
        try {
          expect(ip.btfIgnored).toBe(false);
          expect(ip.progId).toBeDefined();
        } finally {
          await ip.dispose();
        }
        if (c.noInterpreter) return;
        const obj = loadObject(result.object!);
        c.interpSetup?.(obj);
        for (const run of c.runs) {
          const r = obj.program(program).run({ packet: Uint8Array.from(run.packet) });
          expect(r.fault, `${run.name} (interpreter)`).toBeUndefined();
          expect(r.retval, `${run.name} (interpreter)`).toBe(run.retval);
        }
        c.interpCheck?.(obj);
        for (const [name, want] of Object.entries(c.maps ?? {})) {
          if (typeof want === "function") continue;
          const m = obj.maps[name] ?? Object.values(obj.maps).find((x) => x.name.endsWith(name));
          expect(m, `interpreter map ${name}`).toBeDefined();
          const got: Record<string, number[]> = {};
          for (const [k, v] of m!.entries())
            got[hex(k)] =
              m!.raw.type === 6 || m!.raw.type === 5 || m!.raw.type === 10
                ? sumPerCpu([v])
                : [...v];
          for (const [k, v] of Object.entries(want))
            expect(got[k], `${name}[${k}] (interpreter)`).toEqual(v);
        }
      },
      { timeout: 60_000 },
    );
  }
});
