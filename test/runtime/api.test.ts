// Interpreter-only tests of the runtime API: loading, running, maps from
// user space, load errors, faults that name what is missing, context access
// rules and packet geometry. No kernel needed.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LoadError, loadObject } from "../../runtime/index.js";
import { HELPERS_IMPL } from "../../runtime/helpers/index.js";
import { loadBpfObject } from "../../runtime/loader/index.js";
import { runProgram } from "../../runtime/loader/run.js";
import { createRunContext } from "../../runtime/context/index.js";
import { Memory } from "../../runtime/vm/memory.js";
import { VmError } from "../../runtime/vm/types.js";
import { IPV4_TCP_64, PACKETS } from "./packets.js";
import { readFileSync } from "node:fs";

const fixture = (name: string) => join(import.meta.dirname, "../fixtures/clang", `${name}.o`);

describe("loadObject and run", () => {
  it("runs an XDP program and gives the action and data_out", () => {
    const obj = loadObject(fixture("xdp_basic"));
    const prog = obj.program("xdp_basic");
    expect(prog.type).toBe("xdp");
    const r = prog.run({ packet: IPV4_TCP_64 });
    expect(r.fault).toBeUndefined();
    expect(r).toMatchObject({ retval: 2, action: "XDP_PASS" });
    expect(r.packet).toEqual(IPV4_TCP_64);
    expect(r.ctx.ingress_ifindex).toBe(1n);
  });

  it("names the LWT action and puts 14 zero bytes in front of the IP packet", () => {
    const r = loadObject(fixture("globals")).program("lwt_globals").run({ packet: IPV4_TCP_64 });
    expect(r.action).toBe("BPF_OK");
    expect(r.packet.subarray(0, 14)).toEqual(new Uint8Array(14));
    expect(r.packet.subarray(14)).toEqual(IPV4_TCP_64.subarray(14));
    expect(r.ctx.len).toBe(50n);
  });

  it("reads and writes maps from user space, per CPU too", () => {
    const obj = loadObject(fixture("maps"), { cpus: 3 });
    const prog = obj.program("xdp_maps");
    prog.run({ packet: IPV4_TCP_64, cpu: 2 });
    expect(obj.maps.counters!.get(0)).toEqual(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0));
    const pcpu = obj.maps.pcpu!.getPerCpu(0)!;
    expect(pcpu).toHaveLength(3);
    expect(pcpu[2]![0]).toBe(1);
    expect(pcpu[0]![0]).toBe(0);
    expect(obj.maps.by_len!.entries().length).toBe(1);
    expect(obj.maps.counters!.set(1, Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0))).toBe(0);
    expect(obj.maps.counters!.get(1)![0]).toBe(9);
    expect(obj.maps.by_len!.delete(64)).toBe(0);
    expect(obj.maps.by_len!.entries()).toEqual([]);
  });

  it("exposes global data sections as maps with their initial contents", () => {
    const obj = loadObject(fixture("globals"));
    expect(Object.keys(obj.maps).sort()).toEqual([".bss", ".data", ".rodata", ".rodata.cst8"]);
    obj.program("lwt_globals").run({ packet: IPV4_TCP_64 });
    const bss = obj.maps[".bss"]!.get(0)!;
    expect(bss.some((b) => b !== 0)).toBe(true);
  });

  it("reports test_run's refusals as a load fault instead of throwing", () => {
    const prog = loadObject(fixture("xdp_basic")).program("xdp_basic");
    const r = prog.run({ packet: new Uint8Array(10) });
    expect(r.fault?.kind).toBe("load");
    expect(r.fault?.message).toMatch(/at least 14/);
    const lwt = loadObject(fixture("globals")).program("lwt_globals");
    expect(lwt.run({ packet: IPV4_TCP_64.slice(0, 20) }).fault?.message).toMatch(
      /IPv4 frame needs 20/,
    );
  });

  it("never throws from run, whatever the packet", () => {
    const obj = loadObject(fixture("redirect"));
    for (const p of PACKETS)
      expect(() => obj.program("xdp_redirect").run({ packet: p.bytes })).not.toThrow();
  });
});

describe("load errors", () => {
  it("rejects bytes that are not an object", () => {
    expect(() => loadObject(new Uint8Array([1, 2, 3]))).toThrow(LoadError);
    expect(() => loadObject(new Uint8Array([1, 2, 3]))).toThrow(/not a loadable BPF object/);
  });

  it("names a missing file", () => {
    expect(() => loadObject("/nonexistent/x.o")).toThrow(/cannot read \/nonexistent\/x.o/);
  });

  it("rejects random and truncated bytes with a LoadError, never another exception", () => {
    const good = readFileSync(fixture("maps"));
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 200; i++) {
      const b = new Uint8Array(good);
      if (i % 2) for (let k = 0; k < 16; k++) b[rnd() * 8 + (rnd() % 8)] = rnd();
      const cut = i % 2 ? b : b.subarray(0, (i * 37) % good.length);
      try {
        loadObject(cut);
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
      }
    }
  });

  it("asks for the unknown program by name", () => {
    expect(() => loadObject(fixture("xdp_basic")).program("nope")).toThrow(
      /no program nope.*xdp_basic/,
    );
  });
});

describe("faults", () => {
  it("names a helper the runtime does not implement", () => {
    const obj = loadBpfObject(readFileSync(fixture("maps")), { helpers: {}, kfuncs: {} });
    const services = { clock: { ns: () => 0n }, random: { u32: () => 0 }, loopbackIfindex: 1 };
    const r = runProgram(obj, obj.programs[0]!, { packet: IPV4_TCP_64 }, services);
    expect(r.fault?.kind).toBe("call");
    expect(r.fault?.message).toMatch(/helper bpf_map_lookup_elem \(id 1\) is not implemented/);
  });

  it("keeps the core helpers composable by name", () => {
    expect(Object.keys(HELPERS_IMPL)).toEqual(
      expect.arrayContaining([
        "bpf_map_lookup_elem",
        "bpf_xdp_adjust_head",
        "bpf_tail_call",
        "bpf_ringbuf_reserve",
      ]),
    );
  });
});

describe("contexts", () => {
  const mem = () => new Memory();
  const ctxOf = (
    progType: "xdp" | "lwt_xmit",
    frame: Uint8Array = IPV4_TCP_64,
    ctx: Record<string, number> = {},
    m: Memory = mem(),
  ) => {
    const contextName = progType === "xdp" ? "XdpContext" : "LwtXmitContext";
    const r = createRunContext(m, { progType, contextName, frame, ctx, loopbackIfindex: 1 });
    if (typeof r === "string") throw new Error(r);
    return r;
  };
  const load = (
    r: {
      ctx: { region: { access?: { load?: (o: number, s: 1 | 2 | 4 | 8) => bigint | undefined } } };
    },
    o: number,
    s: 1 | 2 | 4 | 8,
  ) => r.ctx.region.access!.load!(o, s);

  it("gives packet pointers for xdp_md data/data_end and refuses egress_ifindex in plain XDP", () => {
    const r = ctxOf("xdp");
    const data = load(r, 0, 4)!;
    const end = load(r, 4, 4)!;
    expect(end - data).toBe(64n);
    expect(load(r, 8, 4)).toBe(data); // no metadata
    expect(() => load(r, 20, 4)).toThrow(/egress_ifindex is not accessible/);
    expect(() => load(r, 12, 2)).toThrow(/only takes 4-byte accesses/);
    expect(() => r.ctx.region.access!.store!(12, 4, 5n)).toThrow(/ingress_ifindex is read-only/);
  });

  it("puts XDP metadata before data and returns it in data_out", () => {
    const frame = new Uint8Array([1, 2, 3, 4, ...IPV4_TCP_64]);
    const r = ctxOf("xdp", frame, { data: 4 });
    expect(load(r, 0, 4)! - load(r, 8, 4)!).toBe(4n);
    expect(r.packet.data).toBe(256);
    expect(r.output()).toEqual(frame);
  });

  it("translates __sk_buff reads: narrow len, protocol in network order, cb in any size", () => {
    const r = ctxOf("lwt_xmit");
    expect(load(r, 0, 4)).toBe(50n);
    expect(load(r, 0, 1)).toBe(50n);
    expect(load(r, 16, 4)).toBe(0x0008n);
    r.ctx.region.access!.store!(48, 8, 0x1122334455667788n);
    expect(load(r, 52, 4)).toBe(0x11223344n);
    expect(() => r.ctx.region.access!.store!(0, 4, 1n)).toThrow(/field len is read-only/);
    expect(() => load(r, 144, 4)).toThrow(/tc_classid|not accessible/);
  });

  it("moves packet bounds under a new address so stale pointers fault", () => {
    const m = mem();
    const r = ctxOf("xdp", IPV4_TCP_64, {}, m);
    const old = r.packet.pointer(r.packet.data);
    expect(r.packet.setBounds({ meta: 250, data: 250 })).toBe(true);
    expect(() => m.read(old, 1)).toThrow(VmError);
    expect(m.read(r.packet.pointer(250), 6)).toEqual(new Uint8Array(6));
    expect(r.packet.setBounds({ end: 4096 })).toBe(false); // into skb_shared_info
  });
});
