// Memory regions: loads and stores of every size, sign-extending loads,
// atomics, bounds and permission faults that name the region, hooks.

import { describe, expect, it } from "vitest";
import {
  Atomic,
  AtomicOp,
  Exit,
  LoadImm64,
  LoadMem,
  LoadMemSx,
  Mov64,
  Reg,
  StoreImm,
  StoreMem,
} from "../../bpf/isa/index.js";
import { createVm } from "../../runtime/vm/index.js";
import { r0, runInsns, u64 } from "./run.js";

const { R0, R1, R2, R10 } = Reg;

describe("stack loads and stores", () => {
  it("round-trips every size and sign-extends MEMSX loads", () => {
    const prog = (bytes: 1 | 2 | 4 | 8, sx: boolean) =>
      r0([
        LoadImm64(R1, 0x8182_8384_8586_8788n),
        StoreMem(8, R10, -8, R1),
        sx && bytes !== 8 ? LoadMemSx(bytes, R0, R10, -8) : LoadMem(bytes, R0, R10, -8),
        Exit(),
      ]);
    expect(prog(1, false)).toBe(0x88n);
    expect(prog(2, false)).toBe(0x8788n);
    expect(prog(4, false)).toBe(0x8586_8788n);
    expect(prog(8, false)).toBe(0x8182_8384_8586_8788n);
    expect(prog(1, true)).toBe(u64(-0x78n));
    expect(prog(2, true)).toBe(u64(-0x7878n));
    expect(prog(4, true)).toBe(u64(-0x7a79_7878n));
  });

  it("stores sign-extended immediates", () => {
    expect(r0([StoreImm(8, R10, -8, -1), LoadMem(8, R0, R10, -8), Exit()])).toBe(u64(-1n));
    expect(r0([StoreImm(2, R10, -8, 0x12345), LoadMem(8, R0, R10, -8), Exit()])).toBe(0x2345n);
  });
});

describe("atomics", () => {
  const atomicRun = (bytes: 4 | 8, op: AtomicOp, mem: bigint, src: bigint, r0In = 0n) => {
    const result = runInsns([
      LoadImm64(R1, mem),
      StoreMem(8, R10, -8, R1),
      LoadImm64(R2, src),
      LoadImm64(R0, r0In),
      Atomic(bytes, op, R10, -8, R2),
      StoreMem(8, R10, -16, R0),
      LoadMem(8, R0, R10, -8),
      StoreMem(8, R10, -24, R0),
      // r0 = memory after; the fetched value (in r2, or r0 for cmpxchg) is at -16 / in r2.
      Exit(),
    ]);
    if (!result.ok) throw new Error(result.fault.message);
    return result.r0;
  };

  it("add/or/and/xor, 64 and 32 bits, with and without fetch", () => {
    expect(atomicRun(8, AtomicOp.ADD, 5n, 7n)).toBe(12n);
    expect(atomicRun(8, AtomicOp.OR, 0xf0n, 0x0fn)).toBe(0xffn);
    expect(atomicRun(8, AtomicOp.AND, 0xf0n, 0x3cn)).toBe(0x30n);
    expect(atomicRun(8, AtomicOp.XOR, 0xffn, 0x0fn)).toBe(0xf0n);
    // 32-bit: only the low word changes, with 32-bit wrap-around.
    expect(atomicRun(4, AtomicOp.FETCH_ADD, 0x1_ffff_ffffn, 1n)).toBe(0x1_0000_0000n);
  });

  it("fetch variants return the old value in src; cmpxchg in r0", () => {
    const fetched = (bytes: 4 | 8, op: AtomicOp, mem: bigint, src: bigint) =>
      r0([
        LoadImm64(R1, mem),
        StoreMem(8, R10, -8, R1),
        LoadImm64(R2, src),
        Atomic(bytes, op, R10, -8, R2),
        Mov64.reg(R0, R2),
        Exit(),
      ]);
    expect(fetched(8, AtomicOp.FETCH_ADD, 5n, 7n)).toBe(5n);
    expect(fetched(8, AtomicOp.XCHG, 5n, 7n)).toBe(5n);
    expect(fetched(4, AtomicOp.FETCH_OR, 0x1_0000_0005n, 2n)).toBe(5n);
    expect(atomicRun(8, AtomicOp.CMPXCHG, 5n, 9n, 5n)).toBe(9n);
    expect(atomicRun(8, AtomicOp.CMPXCHG, 5n, 9n, 4n)).toBe(5n);
    expect(
      r0([
        StoreImm(8, R10, -8, 5),
        Mov64.imm(R0, 4),
        Mov64.imm(R2, 9),
        Atomic(8, AtomicOp.CMPXCHG, R10, -8, R2),
        Exit(),
      ]),
    ).toBe(5n);
  });

  it("load-acquire and store-release", () => {
    expect(
      r0([
        StoreImm(8, R10, -8, 77),
        Mov64.imm(R2, 0),
        Mov64.reg(R1, R10),
        Atomic(8, AtomicOp.LOAD_ACQ, R0, -8, R1),
        Exit(),
      ]),
    ).toBe(77n);
    expect(
      r0([
        Mov64.imm(R2, 66),
        Atomic(8, AtomicOp.STORE_REL, R10, -8, R2),
        LoadMem(8, R0, R10, -8),
        Exit(),
      ]),
    ).toBe(66n);
  });
});

describe("faults", () => {
  it("out-of-bounds access names the region and the instruction", () => {
    const result = runInsns([LoadMem(8, R0, R10, -516), Exit()]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fault.kind).toBe("memory");
    expect(result.fault.pc).toBe(0);
    expect(result.fault.region).toBe("stack frame 0");
    expect(result.fault.message).toMatch(/stack frame 0/);
    expect(result.fault.insn).toMatch(/opcode=0x79/);
  });

  it("access above the frame pointer faults", () => {
    const result = runInsns([LoadMem(1, R0, R10, 0), Exit()]);
    expect(result.ok).toBe(false);
  });

  it("stores to read-only regions fault, loads work", () => {
    const vm = createVm({
      code: [StoreImm(4, R1, 0, 1), Exit()],
    });
    const ro = vm.mem.addRegion("rodata", new Uint8Array(8), { name: ".rodata" });
    const result = vm.run({ args: [ro.ptr] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fault.region).toBe(".rodata");
    expect(result.fault.message).toMatch(/read-only/);
    const load = createVm({ code: [LoadMem(4, R0, R1, 4), Exit()] });
    const ro2 = load.mem.addRegion("rodata", new Uint8Array([0, 0, 0, 0, 9, 0, 0, 0]), {
      readOnly: true,
    });
    expect(load.run({ args: [ro2.ptr] })).toMatchObject({ ok: true, r0: 9n });
  });

  it("unmapped and NULL pointers fault", () => {
    expect(runInsns([Mov64.imm(R1, 0), LoadMem(4, R0, R1, 0), Exit()]).ok).toBe(false);
    const r = runInsns([LoadImm64(R1, 0x5000_0000_0000n), StoreImm(1, R1, 0, 0), Exit()]);
    expect(r.ok).toBe(false);
  });

  it("region hooks intercept context loads", () => {
    const vm = createVm({ code: [LoadMem(4, R0, R1, 4), Exit()] });
    const ctx = vm.mem.addRegion("context", new Uint8Array(16), {
      access: { load: (offset) => (offset === 4 ? 0xabcn : undefined) },
    });
    expect(vm.run({ args: [ctx.ptr] })).toMatchObject({ ok: true, r0: 0xabcn });
  });

  it("memory accessors for helpers read, write and find regions", () => {
    const vm = createVm({ code: [Exit()] });
    const r = vm.mem.addRegion("map_value", new Uint8Array(4), { name: "map value" });
    vm.mem.write(r.ptr + 1n, new Uint8Array([7, 8]));
    expect([...vm.mem.read(r.ptr, 4)]).toEqual([0, 7, 8, 0]);
    expect(vm.mem.regionOf(r.ptr + 3n)).toMatchObject({ region: r, offset: 3 });
    expect(() => vm.mem.read(r.ptr + 3n, 2)).toThrow(/map value/);
  });
});
