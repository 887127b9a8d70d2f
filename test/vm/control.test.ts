// Control flow and calls: local calls with separate frames, call depth,
// helpers, kfuncs, callx, lddw resolution, may_goto, the budget, legacy
// packet loads and invalid code.

import { describe, expect, it } from "vitest";
import {
  Add64,
  Call,
  CallLocal,
  Callx,
  Exit,
  Ja,
  Jeq,
  Jslt,
  LdImm64Src,
  LoadAbs,
  LoadInd,
  LoadMem,
  LoadPseudo,
  MayGoto,
  Mov64,
  Reg,
  StoreImm,
  encode,
  label,
  resolveLabels,
  type Instruction,
} from "../../bpf/isa/index.js";
import { createVm, type HelperFn } from "../../runtime/vm/index.js";
import { r0, runInsns } from "./run.js";

const { R0, R1, R2, R6, R10 } = Reg;

describe("local calls", () => {
  it("gives each call a fresh stack frame and keeps the caller's", () => {
    expect(
      r0([
        StoreImm(8, R10, -8, 11),
        Mov64.imm(R6, 6),
        CallLocal("f"),
        LoadMem(8, R1, R10, -8), // still 11
        Add64.reg(R0, R1),
        Add64.reg(R0, R6), // r6 restored
        Exit(),
        label("f", LoadMem(8, R0, R10, -8)), // fresh frame: 0
        StoreImm(8, R10, -8, 99),
        Mov64.imm(R6, 1000),
        Add64.imm(R0, 100),
        Exit(),
      ]),
    ).toBe(117n);
  });

  const chain = (calls: number): Instruction[] => {
    const insns: Instruction[] = [];
    for (let k = 0; k < calls; k++) insns.push(label(`f${k}`, CallLocal(`f${k + 1}`)), Exit());
    insns.push(label(`f${calls}`, Mov64.imm(R0, 7)), Exit());
    return insns;
  };

  it("allows 8 frames and faults on the 9th", () => {
    expect(r0(chain(7))).toBe(7n);
    const result = runInsns(chain(8));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fault.message).toMatch(/call depth/);
  });

  it("callx through a code pointer and through a helper id", () => {
    // lddw's imm is the callee's slot relative to the lddw's next slot, as in Linux.
    const fn = LoadPseudo(R2, LdImm64Src.FUNC, 3);
    expect(r0([fn, Callx(R2), Exit(), label("g", Mov64.imm(R0, 3)), Exit()])).toBe(3n);
    const helpers = new Map<number, HelperFn>([[5, (_vm, r1) => r1 + 1n]]);
    expect(r0([Mov64.imm(R1, 41), Mov64.imm(R2, 5), Callx(R2), Exit()], { helpers })).toBe(42n);
  });
});

describe("helpers, kfuncs and lddw", () => {
  it("passes r1..r5 and returns r0; unknown ids fault by name", () => {
    const helpers = new Map<number, HelperFn>([[7, (_vm, a, b, c) => a * 100n + b * 10n + c]]);
    const prog = () => [Mov64.imm(R1, 1), Mov64.imm(R2, 2), Mov64.imm(Reg.R3, 3), Call(7), Exit()];
    expect(r0(prog(), { helpers })).toBe(123n);
    const result = runInsns(prog());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fault.message).toMatch(/^helper 7 not implemented/);
  });

  it("a throwing helper becomes a fault", () => {
    const helpers = new Map<number, HelperFn>([
      [1, () => { throw new TypeError("boom"); }], // prettier-ignore
    ]);
    const result = runInsns([Call(1), Exit()], { helpers });
    expect(result).toMatchObject({ ok: false, fault: { kind: "helper", pc: 0 } });
  });

  it("kfuncs are called by BTF id", () => {
    const kfuncs = new Map<number, HelperFn>([[1234, () => 9n]]);
    const insns = [{ ...Call(1234), src: 2 }, Exit()];
    expect(r0(insns, { kfuncs })).toBe(9n);
    expect(runInsns([{ ...Call(1234), src: 2 }, Exit()]).ok).toBe(false);
  });

  it("resolves lddw pseudo kinds once through the resolver", () => {
    let calls = 0;
    const vm = createVm({
      code: encode([LoadPseudo(R1, LdImm64Src.MAP_VALUE, 3, 16), LoadMem(4, R0, R1, 0), Exit()]),
      ldImm64Resolver: (src, imm, next, handle) => {
        calls++;
        const r = handle.mem.addRegion("map_value", new Uint8Array([src, imm, next, 0]));
        return r.ptr;
      },
    });
    expect(vm.run()).toMatchObject({ ok: true, r0: 0x10_03_02n });
    expect(vm.run()).toMatchObject({ ok: true, r0: 0x10_03_02n });
    expect(calls).toBe(1);
    expect(runInsns([LoadPseudo(R1, LdImm64Src.MAP_FD, 3), Exit()]).ok).toBe(false);
  });

  it("helpers can call back into the program", () => {
    const helpers = new Map<number, HelperFn>([
      [181, (vm, n, fn) => { let s = 0n; for (let i = 0n; i < n; i++) s += vm.callFunction(fn, [i]); return s; }], // prettier-ignore
    ]);
    const insns = [
      Mov64.imm(R1, 4),
      LoadPseudo(R2, LdImm64Src.FUNC, 5),
      Mov64.imm(R6, 1),
      Call(181),
      Add64.reg(R0, R6),
      Exit(),
      label("cb", Mov64.reg(R0, R1)),
      Add64.reg(R0, R1),
      Mov64.imm(R6, 50),
      Exit(),
    ];
    expect(r0(insns, { helpers })).toBe(2n * (0n + 1n + 2n + 3n) + 1n);
  });
});

describe("budget and may_goto", () => {
  it("stops an infinite loop with a budget fault", () => {
    const result = runInsns([label("top", Ja("top")), Exit()], { budget: 10_000 });
    expect(result).toMatchObject({ ok: false, fault: { kind: "budget", pc: 0 } });
    expect(result.instructions).toBeGreaterThan(10_000);
    expect(result.instructions).toBeLessThan(10_010);
  });

  it("counts instructions exactly", () => {
    const insns = [Mov64.imm(R0, 0), label("l", Add64.imm(R0, 1)), Jslt.imm(R0, 10, "l"), Exit()];
    expect(runInsns(insns)).toMatchObject({ ok: true, r0: 10n, instructions: 1 + 20 + 1 });
  });

  it("may_goto falls through until the 8M budget is spent, then jumps", () => {
    const insns = [
      Mov64.imm(R0, 0),
      label("l", MayGoto("out")),
      Add64.imm(R0, 1),
      Ja("l"),
      label("out", Exit()),
    ];
    expect(runInsns(insns, { budget: 1e9 })).toMatchObject({ ok: true, r0: 8n * 1024n * 1024n });
  });
});

describe("legacy packet loads", () => {
  const run = (insns: Instruction[], packet: number[]) => {
    resolveLabels(insns);
    const vm = createVm({ code: insns });
    vm.mem.addRegion("packet", new Uint8Array(packet));
    return vm.run();
  };

  it("read big-endian and exit with 0 when out of bounds", () => {
    expect(run([LoadAbs(2, 1), Exit()], [1, 2, 3, 4])).toMatchObject({ ok: true, r0: 0x0203n });
    expect(run([LoadAbs(4, 0), Exit()], [1, 2, 3, 4])).toMatchObject({ r0: 0x01020304n });
    expect(run([Mov64.imm(R1, 2), LoadInd(1, R1, 1), Exit()], [1, 2, 3, 4])).toMatchObject({
      r0: 4n,
    });
    expect(
      run([Mov64.imm(R0, 9), LoadAbs(4, 2), Mov64.imm(R0, 1), Exit()], [1, 2, 3, 4]),
    ).toMatchObject({ ok: true, r0: 0n });
  });
});

describe("invalid code", () => {
  it("faults on invalid opcodes, bad jumps, truncated lddw and falling off the end", () => {
    const raw = (...bytes: number[]) => createVm({ code: new Uint8Array(bytes) }).run();
    expect(raw(0xff, 0, 0, 0, 0, 0, 0, 0)).toMatchObject({ ok: false, fault: { kind: "invalid" } });
    expect(raw(0x05, 0, 5, 0, 0, 0, 0, 0)).toMatchObject({ ok: false });
    expect(raw(0x18, 0, 0, 0, 0, 0, 0, 0)).toMatchObject({ ok: false });
    expect(raw(0xb7, 0, 0, 0, 0, 0, 0, 0)).toMatchObject({
      ok: false,
      fault: { message: expect.stringMatching(/fell off the end/) },
    });
    expect(raw(1, 2, 3)).toMatchObject({ ok: false, fault: { kind: "load" } });
    expect(r0([Jeq.imm(R0, 0, "x"), label("x", Exit())])).toBe(0n);
  });
});
