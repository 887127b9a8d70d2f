// The runtime API on compiled map programs, no kernel needed: perf event
// arrays start without a reader (bpf_perf_event_output is -ENOENT, as in the
// kernel) until MapHandle.attachReader opens the CPUs' slots; outer-map
// lookups hand the program the inner map, usable with the map helpers.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadObject } from "../../runtime/index.js";
import { buildObject } from "../compiler/compile-fixture.js";

const DIR = join(import.meta.dirname, "../fixtures/compiler-maps");
const load = (name: string, cpus = 1) =>
  loadObject(buildObject(join(DIR, `${name}.ts`)).result.object!, { cpus });
const u32 = (n: number) => Uint8Array.of(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
const i64 = (v: Uint8Array) => new DataView(v.buffer, v.byteOffset).getBigInt64(0, true);
const PACKET = new Uint8Array(64);

describe("perf event array readers", () => {
  it("no reader: output is -ENOENT and nothing is captured", () => {
    const obj = load("perf_output");
    expect(obj.program("perf_output").run({ packet: PACKET }).retval).toBe(2);
    expect(i64(obj.maps["status"]!.get(0)!)).toBe(-2n);
    expect(obj.maps["samples"]!.drain()).toEqual([]);
  });

  it("an attached reader captures the records of its CPU", () => {
    const obj = load("perf_output", 2);
    const samples = obj.maps["samples"]!;
    samples.attachReader();
    expect(obj.program("perf_output").run({ packet: PACKET }).retval).toBe(2);
    expect(i64(obj.maps["status"]!.get(0)!)).toBe(0n);
    expect(samples.drain()).toEqual([{ cpu: 0, data: Uint8Array.of(64, 0, 0, 0, 7, 0, 0, 0) }]);
    expect(samples.drain()).toEqual([]);
    samples.detachReader();
    obj.program("perf_output").run({ packet: PACKET });
    expect(i64(obj.maps["status"]!.get(0)!)).toBe(-2n);
  });

  it("a reader on another CPU only: -ENOENT for the current CPU's slot", () => {
    const obj = load("perf_output", 2);
    obj.maps["samples"]!.attachReader([1]);
    obj.program("perf_output").run({ packet: PACKET });
    expect(i64(obj.maps["status"]!.get(0)!)).toBe(-2n);
    expect(() => obj.maps["status"]!.attachReader()).toThrow(/not a perf event array/);
  });
});

describe("map in map", () => {
  it("the inner map an array of maps gives is updated through the map helpers", () => {
    const obj = load("array_of_maps");
    expect(obj.program("array_of_maps").run({ packet: PACKET }).retval).toBe(0); // empty slot
    expect(obj.maps["outer"]!.set(0, u32(obj.maps["inner"]!.raw.id))).toBe(0);
    for (let i = 0; i < 3; i++)
      expect(obj.program("array_of_maps").run({ packet: PACKET }).retval).toBe(2);
    expect(i64(obj.maps["inner"]!.get(0)!)).toBe(3n);
  });
});

describe("timers through the API", () => {
  it("the timer program's callback fires once the clock passes its expiry", () => {
    // A fixed clock (the default one moves 1000 ns at every read).
    const obj = loadObject(buildObject(join(DIR, "timer.ts")).result.object!, { clock: 5_000n });
    const armed = obj.maps["armed"]!;
    const fired = () => new DataView(armed.get(0)!.buffer).getBigUint64(16, true);
    expect(obj.program("timer").run({ packet: PACKET }).retval).toBe(2);
    expect(obj.program("timer").run({ packet: PACKET }).retval).toBe(1); // -EBUSY: already initialised
    expect(obj.runDueTimers()).toBe(0); // 1 us has not passed
    expect(fired()).toBe(0n);
    expect(obj.advanceClock(1000)).toBe(1);
    expect(fired()).toBe(1n);
    expect(obj.advanceClock(1_000_000)).toBe(0); // one-shot
    expect(fired()).toBe(1n);
  });
});
