// Counts and invariants of the tables, read from the generated data modules the compiler
// imports. Seed cross-checks read ../shared when present and say SKIPPED otherwise.
// Run: npx vitest run test/stdlib/tables.test.ts
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELPERS, HELPER_ID } from "../../stdlib/generated/data/helpers.js";
import { KFUNCS } from "../../stdlib/generated/data/kfuncs.js";
import { CONTEXTS, CONTEXT_STRUCTS } from "../../stdlib/generated/data/contexts.js";
import { MAP_TYPES, SECTIONS } from "../../stdlib/generated/data/sections.js";
import { HEADERS } from "../../stdlib/generated/data/constants.js";
import { ROOT } from "./tsc.js";

const SHARED = join(ROOT, "../shared/data");
const haveShared = existsSync(join(SHARED, "helpers-all.txt"));
if (!haveShared) console.log(`SKIPPED: seed cross-checks: ${SHARED} not found`);
const seedList = (f: string) => readFileSync(join(SHARED, f), "utf8").split(/\s+/).filter(Boolean);

describe("stdlib tables", () => {
  it("has 211 helpers with ids 1..211, one per name", () => {
    expect(HELPERS.length).toBe(211);
    expect(HELPERS.map((h) => h.id)).toEqual(Array.from({ length: 211 }, (_, i) => i + 1));
    expect(Object.keys(HELPER_ID).length).toBe(211);
    expect(HELPER_ID["bpf_map_lookup_elem"]).toBe(1);
    expect(HELPER_ID["bpf_xdp_adjust_head"]).toBe(44);
  });

  it("classifies helper arguments (map, key, sized memory, ctx, callback)", () => {
    const p = (n: string) => HELPERS.find((h) => h.name === n)!.prototypes[0]!.params;
    expect(p("bpf_map_update_elem").map((a) => a.kind)).toEqual([
      "map",
      "mapKey",
      "mapValue",
      "scalar",
    ]);
    const load = p("bpf_skb_load_bytes");
    expect(load.map((a) => a.kind)).toEqual(["ctx", "scalar", "mem", "size"]);
    expect(load[2]!.sizeArg).toBe("len");
    expect(p("bpf_loop").map((a) => a.kind)).toEqual(["scalar", "callback", "mem", "scalar"]);
    expect(p("bpf_ktime_get_ns")).toEqual([]);
  });

  it.skipIf(!haveShared)("matches the seed lists (ids, XDP and LWT helpers, kfuncs)", () => {
    const ids = readFileSync(join(SHARED, "helpers-all.txt"), "utf8").trim().split("\n");
    expect(HELPERS.map((h) => `${h.id} ${h.name}`)).toEqual(ids);
    for (const n of seedList("helpers-xdp.txt"))
      expect(HELPERS[HELPER_ID[n]! - 1]!.progTypes).toContain("xdp");
    for (const n of seedList("helpers-lwt.txt"))
      expect(HELPERS[HELPER_ID[n]! - 1]!.progTypes).toContain("lwt");
    const seeds = new Set([...seedList("kfuncs-xdp.txt"), ...seedList("kfuncs-lwt.txt")]);
    expect(new Set(KFUNCS.map((k) => k.name))).toEqual(seeds);
  });

  it("declares every seed kfunc (116) with flags; the two absentees are marked", () => {
    expect(KFUNCS.length).toBe(116);
    const absent = KFUNCS.filter((k) => k.absentFromKernel).map((k) => k.name);
    expect(absent.sort()).toEqual(["bpf_stream_vprintk", "crash_kexec"]);
    const k = (n: string) => KFUNCS.find((x) => x.name === n)!;
    expect(k("bpf_task_acquire").flags).toEqual(["acquire", "retNull"]);
    expect(k("bpf_task_release").flags).toEqual(["release"]);
    expect(k("bpf_copy_from_user_str").flags).toContain("sleepable");
  });

  it("describes every xdp_md (6) and __sk_buff (34) field, contiguous and in bounds", () => {
    const xdp = CONTEXT_STRUCTS["xdp_md"]!;
    const skb = CONTEXT_STRUCTS["__sk_buff"]!;
    expect(xdp.fields.length).toBe(6);
    expect(skb.fields.length).toBe(34);
    for (const s of [xdp, skb])
      for (let i = 1; i < s.fields.length; i++) {
        const prev = s.fields[i - 1]!;
        expect(s.fields[i]!.offset).toBeGreaterThanOrEqual(prev.offset + prev.size);
        expect(s.fields[i]!.offset + s.fields[i]!.size).toBeLessThanOrEqual(s.size);
      }
  });

  it("gives LWT the seed table's access: mark, priority, cb writable; 20 readable", () => {
    const a = CONTEXTS["LwtXmitContext"]!.access;
    expect(Object.keys(a).length).toBe(20);
    expect(
      Object.keys(a)
        .filter((f) => a[f] === "rw")
        .sort(),
    ).toEqual(["cb", "mark", "priority"]);
    for (const f of ["tc_classid", "family", "data_meta", "tstamp", "wire_len", "hwtstamp"])
      expect(a[f]).toBeUndefined();
    expect(CONTEXTS["XdpContext"]!.access["egress_ifindex"]).toBeUndefined();
    expect(CONTEXTS["XdpDevmapContext"]!.access["egress_ifindex"]).toBe("r");
    expect(CONTEXTS["TcContext"]!.access["tc_classid"]).toBe("rw");
  });

  it("lists the 13 sections and 19 map classes", () => {
    expect(SECTIONS.map((s) => s.section)).toEqual([
      "xdp",
      "xdp.frags",
      "xdp/devmap",
      "xdp/cpumap",
      "xdp.frags/devmap",
      "xdp.frags/cpumap",
      "lwt_in",
      "lwt_out",
      "lwt_xmit",
      "lwt_seg6local",
      "tc",
      "cgroup_skb/ingress",
      "cgroup_skb/egress",
    ]);
    expect(MAP_TYPES.length).toBe(19);
    expect(HEADERS["EthHdr"]!.size).toBe(14);
    expect(HEADERS["Ipv4Hdr"]!.size).toBe(20);
    expect(HEADERS["Ipv6Hdr"]!.size).toBe(40);
    expect(HEADERS["TcpHdr"]!.size).toBe(20);
  });
});
