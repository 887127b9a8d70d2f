// Unit tests of the general helpers, timers, FIB lookup, string kfuncs and
// iterators on a hand-built RunEnv (the kernel-compared cases are in
// xdp-kernel/lwt-kernel.test.ts).

import { describe, expect, it } from "vitest";
import { fibHelpers, parseIp } from "../../runtime/helpers/fib.js";
import { kfuncHelpers } from "../../runtime/helpers/kfuncs.js";
import { stringKfuncs } from "../../runtime/helpers/strings.js";
import { attachWorld } from "../../runtime/helpers/support.js";
import { pendingTimers, runDueTimers, timerHelpers } from "../../runtime/helpers/timer.js";
import { utilHelpers } from "../../runtime/helpers/util.js";
import { codePtr } from "../../runtime/vm/memory.js";
import { bytes, call, makeEnv } from "./harness.js";

const cstr = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)).concat(0));

describe("util helpers", () => {
  it("bpf_snprintf formats like the kernel and returns the length with the NUL", () => {
    const env = makeEnv();
    const out = env.mem(32);
    const fmt = env.mem(cstr("%d|%5u|%-4x|%03d %s"));
    const s = env.mem(cstr("hi"));
    const args = new Uint8Array(40);
    const v = new DataView(args.buffer);
    [-(2n ** 32n) + 5n, 42n, 0xabn, 7n, s].forEach((x, i) =>
      v.setBigUint64(8 * i, BigInt.asUintN(64, x), true),
    );
    const r = call(env, utilHelpers, "bpf_snprintf", out, 32, fmt, env.mem(args), 40);
    const text = "5|   42|ab  |007 hi";
    expect(r).toBe(BigInt(text.length + 1));
    expect(Buffer.from(env.vm.mem.read(out, text.length)).toString()).toBe(text);
    expect(
      call(env, utilHelpers, "bpf_snprintf", out, 32, env.mem(cstr("%q")), env.mem(args), 8),
    ).toBe(-22n);
    expect(call(env, utilHelpers, "bpf_snprintf", out, 32, fmt, env.mem(args), 12)).toBe(-22n);
  });

  it("bpf_for_each_map_elem visits every array slot until the callback says stop", () => {
    // callback(map, key, value, ctx): *ctx += *key; stop at key 3.
    const code = [
      "r0 = 0",
      "exit",
      "r6 = *(u32 *)(r2 + 0)",
      "r7 = *(u64 *)(r4 + 0)",
      "r7 += r6",
      "*(u64 *)(r4 + 0) = r7",
      "r0 = 0",
      "if r6 != 3 goto +1",
      "r0 = 1",
      "exit",
    ].join("\n");
    const env = makeEnv({
      code,
      maps: { arr: { type: "array", keySize: 4, valueSize: 8, maxEntries: 8 } },
    });
    const ctx = env.mem(8);
    const n = call(
      env,
      utilHelpers,
      "bpf_for_each_map_elem",
      env.maps.pointerOf(env.map("arr")),
      codePtr(2),
      ctx,
      0,
    );
    expect(n).toBe(4n);
    expect(new DataView(env.vm.mem.read(ctx, 8).slice().buffer).getBigUint64(0, true)).toBe(6n);
  });

  it("spin locks fault on a double lock, queue maps push and pop", () => {
    const env = makeEnv({
      maps: { q: { type: "queue", keySize: 0, valueSize: 4, maxEntries: 2 } },
    });
    const lock = env.mem(4);
    expect(call(env, utilHelpers, "bpf_spin_lock", lock)).toBe(0n);
    expect(() => call(env, utilHelpers, "bpf_spin_lock", lock)).toThrow(/deadlock/);
    expect(call(env, utilHelpers, "bpf_spin_unlock", lock)).toBe(0n);
    const q = env.maps.pointerOf(env.map("q"));
    const val = env.mem(bytes(1, 2, 3, 4));
    expect(call(env, utilHelpers, "bpf_map_push_elem", q, val, 0)).toBe(0n);
    const out = env.mem(4);
    expect(call(env, utilHelpers, "bpf_map_pop_elem", q, out)).toBe(0n);
    expect([...env.vm.mem.read(out, 4)]).toEqual([1, 2, 3, 4]);
    expect(call(env, utilHelpers, "bpf_map_pop_elem", q, out)).toBe(-2n);
  });
});

describe("timers", () => {
  it("init, set_callback, start; the callback runs when the clock passes the expiry", () => {
    // callback(map, key, value): *(u64 *)(value + 16) += 1
    const code = [
      "r0 = 0",
      "exit",
      "r1 = *(u64 *)(r3 + 16)",
      "r1 += 1",
      "*(u64 *)(r3 + 16) = r1",
      "r0 = 0",
      "exit",
    ].join("\n");
    const env = makeEnv({
      code,
      maps: { t: { type: "array", keySize: 4, valueSize: 24, maxEntries: 1 } },
    });
    const map = env.map("t");
    const value = map.lookup(new Uint8Array(4))!;
    const timer = env.maps.valuePointer(map, value);
    const mp = env.maps.pointerOf(map);
    expect(call(env, timerHelpers, "bpf_timer_start", timer, 10, 0)).toBe(-22n);
    expect(call(env, timerHelpers, "bpf_timer_init", timer, mp, 1)).toBe(0n);
    expect(call(env, timerHelpers, "bpf_timer_init", timer, mp, 1)).toBe(-16n);
    expect(call(env, timerHelpers, "bpf_timer_start", timer, 10, 0)).toBe(-22n);
    expect(call(env, timerHelpers, "bpf_timer_set_callback", timer, codePtr(2))).toBe(0n);
    expect(call(env, timerHelpers, "bpf_timer_start", timer, 1000, 0)).toBe(0n);
    expect(pendingTimers(env)).toHaveLength(1);
    expect(runDueTimers(env)).toBe(0);
    env.now += 1000n;
    expect(runDueTimers(env)).toBe(1);
    expect(value[16]).toBe(1);
    expect(call(env, timerHelpers, "bpf_timer_cancel", timer)).toBe(0n);
  });
});

describe("bpf_fib_lookup with a user-supplied FIB", () => {
  it("longest prefix, gateway, neighbour, MTU and failures", () => {
    const env = makeEnv();
    attachWorld(env, {
      fib: {
        devices: [
          { ifindex: 2, mac: "02:00:00:00:00:02", mtu: 1500 },
          { ifindex: 3, mac: "02:00:00:00:00:03", mtu: 1400 },
        ],
        routes: [
          { family: 4, dst: "10.0.0.0", prefixLen: 8, ifindex: 2, gateway: "192.168.0.1" },
          { family: 4, dst: "10.1.0.0", prefixLen: 16, ifindex: 3 },
          { family: 4, dst: "10.9.0.0", prefixLen: 16, ifindex: 3, type: "blackhole" },
        ],
        neighbours: [{ ip: "192.168.0.1", mac: "aa:bb:cc:dd:ee:ff" }],
      },
    });
    const params = (dst: string, totLen = 100) => {
      const p = new Uint8Array(64);
      const v = new DataView(p.buffer);
      p[0] = 2;
      v.setUint16(6, totLen, true);
      v.setUint32(8, 2, true);
      p.set(parseIp(dst), 32);
      return env.mem(p);
    };
    const p1 = params("10.2.3.4");
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, p1, 64, 0)).toBe(0n);
    const out = env.vm.mem.read(p1, 64);
    expect([...out.subarray(32, 36)]).toEqual([192, 168, 0, 1]);
    expect([...out.subarray(58, 64)]).toEqual([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
    expect(out[8]).toBe(2);
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, params("10.1.2.3"), 64, 0)).toBe(7n);
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, params("10.1.2.3"), 64, 4)).toBe(0n);
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, params("10.1.2.3", 1450), 64, 4)).toBe(8n);
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, params("10.9.0.1"), 64, 0)).toBe(1n);
    expect(call(env, fibHelpers, "bpf_fib_lookup", 0, params("11.0.0.1"), 64, 0)).toBe(4n);
  });
});

describe("kfuncs", () => {
  it("string kfuncs", () => {
    const env = makeEnv();
    const s = env.mem(cstr("hello world"));
    const t = env.mem(cstr("world"));
    expect(call(env, stringKfuncs, "bpf_strlen", s)).toBe(11n);
    expect(call(env, stringKfuncs, "bpf_strnlen", s, 4)).toBe(4n);
    expect(call(env, stringKfuncs, "bpf_strcmp", s, t)).toBe(-1n);
    expect(call(env, stringKfuncs, "bpf_strchr", s, 0x6f)).toBe(4n);
    expect(call(env, stringKfuncs, "bpf_strrchr", s, 0x6f)).toBe(7n);
    expect(call(env, stringKfuncs, "bpf_strchr", s, 0x7a)).toBe(-2n);
    expect(call(env, stringKfuncs, "bpf_strstr", s, t)).toBe(6n);
    expect(call(env, stringKfuncs, "bpf_strnstr", s, t, 8)).toBe(-2n);
    expect(call(env, stringKfuncs, "bpf_strspn", s, env.mem(cstr("leh")))).toBe(4n);
    expect(call(env, stringKfuncs, "bpf_strcspn", s, env.mem(cstr(" ")))).toBe(5n);
    expect(call(env, stringKfuncs, "bpf_strlen", 0)).toBe(-34n);
  });

  it("bits iterator walks the set bits", () => {
    const env = makeEnv();
    const it = env.mem(16);
    const mask = env.mem(bytes(0b1010_0001, 0, 0, 0, 0, 0, 0, 0x80));
    expect(call(env, kfuncHelpers, "bpf_iter_bits_new", it, mask, 1)).toBe(0n);
    const seen: number[] = [];
    for (
      let p = call(env, kfuncHelpers, "bpf_iter_bits_next", it);
      p;
      p = call(env, kfuncHelpers, "bpf_iter_bits_next", it)
    ) {
      seen.push(
        new DataView(env.vm.mem.read(BigInt.asUintN(64, p), 4).slice().buffer).getInt32(0, true),
      );
    }
    expect(seen).toEqual([0, 5, 7, 63]);
    expect(call(env, kfuncHelpers, "bpf_iter_bits_new", it, mask, 0)).toBe(-22n);
  });

  it("resilient spin lock reports the AA deadlock", () => {
    const env = makeEnv();
    const lock = env.mem(4);
    expect(call(env, kfuncHelpers, "bpf_res_spin_lock", lock)).toBe(0n);
    expect(call(env, kfuncHelpers, "bpf_res_spin_lock", lock)).toBe(-35n);
    call(env, kfuncHelpers, "bpf_res_spin_unlock", lock);
    expect(call(env, kfuncHelpers, "bpf_res_spin_lock", lock)).toBe(0n);
  });
});
