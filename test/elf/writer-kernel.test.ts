// Objects built by writeObject from instruction lists (no clang), loaded by
// ip (XDP on lo / LWT xmit route, in a namespace of the test's own) and by
// bpftool, then run with BPF_PROG_TEST_RUN; return values and map contents
// are checked, and no log may say "BTF is optional, ignoring".
// Reproduce by hand: write the object (see objects.ts), then
//   bpftool -d prog loadall X.o /sys/fs/bpf/D type xdp
//   bpftool prog run pinned /sys/fs/bpf/D/<prog> data_in F data_out G
//   ip -n NS link set dev lo xdp obj X.o sec xdp

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { type ObjectSpec, readObject, writeObject } from "../../bpf/elf/index.js";
import {
  type BpftoolLoadHandle,
  dumpMap,
  ethernetFrame,
  loadWithBpftool,
  loadWithIp,
  createNetns,
  programMaps,
  run,
  testRun,
} from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { Exit, LoadMapPtr, Mov64, Reg } from "../../bpf/isa/index.js";
import * as objs from "./objects.js";

const dir = mkdtempSync(join(tmpdir(), `tsbpf-elf-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTo(name: string, spec: ObjectSpec): string {
  const path = join(dir, `${name}.o`);
  writeFileSync(path, writeObject(spec));
  return path;
}

const ipv4 = (extra = 0) => {
  const p = new Uint8Array(20 + extra);
  p.set([0x45, 0, 0, 20 + extra, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  return p;
};
const frame = ethernetFrame(ipv4());

function u64(bytes: Uint8Array | undefined): bigint {
  if (!bytes) throw new Error("no value");
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
}

/** Load with ip (XDP on lo or LWT route) and check the kernel accepted program and BTF. */
async function ipLoads(obj: string, section: string, hook: "xdp" | "lwt_xmit") {
  const h = await loadWithIp(obj, { hook, section });
  try {
    expect(h.output).not.toContain("BTF is optional");
    expect(h.btfIgnored).toBe(false);
    expect(h.candidateIds.length).toBeGreaterThanOrEqual(1);
  } finally {
    await h.dispose();
  }
}

/** Load with bpftool and run `body` against the pinned program; pins removed after. */
async function withBpftool(
  obj: string,
  type: "xdp" | "lwt_xmit",
  body: (h: BpftoolLoadHandle) => Promise<void>,
) {
  const h = await loadWithBpftool(obj, { type });
  try {
    expect(h.log).not.toContain("BTF is optional");
    expect(h.btfIgnored).toBe(false);
    await body(h);
  } finally {
    h.dispose();
  }
}

describeKernel("objects from writeObject in the kernel", () => {
  kernelTest("1. plain XDP: ip attaches it, bpftool runs it, XDP_PASS", async () => {
    const obj = writeTo("plain", objs.plainXdp);
    await ipLoads(obj, "xdp", "xdp");
    await withBpftool(obj, "xdp", async (h) => {
      expect((await testRun(h, { data: frame })).retval).toBe(objs.XDP_PASS);
    });
  });

  kernelTest("2. BTF array + hash maps: counter and hash entry read back", async () => {
    const obj = writeTo("maps", objs.mapsXdp);
    await ipLoads(obj, "xdp", "xdp");
    await withBpftool(obj, "xdp", async (h) => {
      const r = await testRun(h, { data: frame, repeat: 5 });
      expect(r.retval).toBe(objs.XDP_PASS);
      const maps = await programMaps(h);
      const counts = maps.find((m) => m.name === "counts")!;
      const seen = maps.find((m) => m.name === "seen")!;
      expect(counts).toMatchObject({ type: "array", keySize: 4, valueSize: 8, maxEntries: 4 });
      expect(counts.btfId).toBeGreaterThan(0);
      const countEntries = await dumpMap(counts.id);
      expect(countEntries.map((e) => u64(e.value))).toEqual([5n, 0n, 0n, 0n]);
      // BTF key/value types: bpftool prints a "formatted" view.
      expect(countEntries[0]!.formatted).toEqual({ key: 0, value: 5 });
      const seenEntries = await dumpMap(seen.id);
      expect(seenEntries.map((e) => [[...e.key], u64(e.value)])).toEqual([[[7, 0, 0, 0], 42n]]);
    });
  });

  kernelTest("3. BPF-to-BPF calls into .text (static and global): XDP_PASS", async () => {
    const obj = writeTo("calls", objs.callsXdp);
    await ipLoads(obj, "xdp", "xdp");
    await withBpftool(obj, "xdp", async (h) => {
      expect(h.log).toMatch(/Func#1 \('times2'\) is global and assumed valid|times2/);
      expect((await testRun(h, { data: frame })).retval).toBe(objs.XDP_PASS);
    });
  });

  kernelTest("4. kfuncs (rcu lock/unlock, bpf_dynptr_from_xdp): XDP_PASS", async () => {
    const obj = writeTo("kfunc", objs.kfuncXdp);
    await ipLoads(obj, "xdp", "xdp");
    await withBpftool(obj, "xdp", async (h) => {
      expect((await testRun(h, { data: frame })).retval).toBe(objs.XDP_PASS);
      const xlated = await run("bpftool", ["prog", "dump", "xlated", "pinned", h.program.pinPath]);
      expect(xlated.stdout).toContain("bpf_dynptr_from_xdp");
    });
  });

  kernelTest(
    "5. global data: .bss/.data written, .rodata read, seen in <obj>.bss/.data",
    async () => {
      const obj = writeTo("globals", objs.globalsXdp);
      await ipLoads(obj, "xdp", "xdp");
      await withBpftool(obj, "xdp", async (h) => {
        expect((await testRun(h, { data: frame, repeat: 3 })).retval).toBe(objs.XDP_PASS);
        const maps = await programMaps(h);
        const byEnd = (suffix: string) => maps.find((m) => m.name.endsWith(suffix))!;
        expect(maps.map((m) => m.name).sort()).toEqual([
          "globals.bss",
          "globals.data",
          "globals.rodata",
        ]);
        expect(u64((await dumpMap(byEnd(".bss").id))[0]!.value)).toBe(3n);
        expect(u64((await dumpMap(byEnd(".data").id))[0]!.value)).toBe(100n + 7n * 3n);
        const ro = (await dumpMap(byEnd(".rodata").id))[0]!.value!;
        expect([...ro]).toEqual([7, 0, 0, 0]);
      });
    },
  );

  kernelTest("6. line info: bpftool dump xlated linum shows the recorded lines", async () => {
    const obj = writeTo("lines", objs.linesXdp);
    await ipLoads(obj, "xdp", "xdp");
    await withBpftool(obj, "xdp", async (h) => {
      expect((await testRun(h, { data: frame })).retval).toBe(objs.XDP_PASS);
      const args = ["prog", "dump", "xlated", "pinned", h.program.pinPath, "linum"];
      const out = (await run("bpftool", args)).stdout;
      expect(out).toContain(`; ${objs.LINE_TEXTS[0]} [file:lines.ts line_num:10 line_col:3]`);
      for (const t of objs.LINE_TEXTS) expect(out).toContain(`; ${t} [file:lines.ts`);
      expect(h.log).toContain("; x = x + 2 - 40; @ lines.ts:12");
    });
    const lines = readObject(writeObject(objs.linesXdp)).btfExt!.lineInfo[0]!.records;
    expect(lines.map((l) => [l.insnOff, l.lineNum])).toEqual([
      [0, 10],
      [8, 11],
      [24, 12],
      [40, 13],
    ]);
  });

  kernelTest(
    "7. LWT xmit: ip route encap loads it; BPF_OK for 20 bytes, BPF_DROP for 40",
    async () => {
      const obj = writeTo("lwt", objs.lwtXmit);
      await ipLoads(obj, "lwt_xmit", "lwt_xmit");
      await withBpftool(obj, "lwt_xmit", async (h) => {
        expect(h.program.type).toBe("lwt_xmit");
        expect((await testRun(h, { data: ethernetFrame(ipv4()) })).retval).toBe(objs.BPF_OK);
        expect((await testRun(h, { data: ethernetFrame(ipv4(20)) })).retval).toBe(objs.BPF_DROP);
      });
    },
  );
  kernelTest("map-in-map and pinning by name: ip pins the map under tc/globals", async () => {
    const mapName = `pin_${process.pid}`;
    const pinned = `/sys/fs/bpf/tc/globals/${mapName}`;
    const spec: ObjectSpec = {
      license: "GPL",
      maps: [
        { name: mapName, type: 2, maxEntries: 1, key: 4, value: 8, pinning: 1 },
        {
          name: "outer",
          type: 12,
          maxEntries: 2,
          keySize: 4,
          innerMap: { type: 2, maxEntries: 1, key: 4, value: 8 },
        },
      ],
      programs: [
        {
          name: "mim_prog",
          section: "xdp",
          insns: [
            LoadMapPtr(Reg.R1, mapName),
            LoadMapPtr(Reg.R2, "outer"),
            Mov64.imm(Reg.R0, 2),
            Exit(),
          ],
        },
      ],
    };
    const obj = writeTo("mim", spec);
    // `ip -n NS` mounts a private bpffs, so its pins vanish when ip exits; ip run
    // through nsenter (network namespace only) pins where everyone sees it.
    const ns = await createNetns("pin");
    try {
      const r = await ns.exec(["ip", "link", "set", "dev", "lo", "xdp", "obj", obj, "sec", "xdp"]);
      expect(r.stdout + r.stderr).not.toContain("BTF is optional");
      expect(existsSync(pinned)).toBe(true);
    } finally {
      ns.dispose();
      rmSync(pinned, { force: true });
    }
    const noPin = { ...spec, maps: spec.maps!.map((m) => ({ ...m, pinning: 0 })) };
    await withBpftool(writeTo("mim2", noPin), "xdp", async (h) => {
      expect((await testRun(h, { data: frame })).retval).toBe(objs.XDP_PASS);
      const outer = (await programMaps(h)).find((m) => m.name === "outer")!;
      expect(outer).toMatchObject({ type: "array_of_maps", keySize: 4, valueSize: 4 });
    });
  });
});
