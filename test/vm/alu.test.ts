// ALU corner cases: division and modulo by zero, INT_MIN / -1, shift masks,
// 32-bit zero extension, sign-extending moves and byte swaps.

import { describe, expect, it } from "vitest";
import {
  Add32,
  Arsh32,
  Arsh64,
  Bswap,
  Div32,
  Div64,
  Exit,
  LoadImm64,
  Lsh32,
  Lsh64,
  Mod32,
  Mod64,
  Mov32,
  Mov64,
  MovSx32,
  MovSx64,
  Mul64,
  Neg32,
  Reg,
  Rsh64,
  SDiv32,
  SDiv64,
  SMod32,
  SMod64,
  ToBe,
  ToLe,
  type Instruction,
} from "../../bpf/isa/index.js";
import { r0, u64 } from "./run.js";

const { R0, R1 } = Reg;
const INT64_MIN = 1n << 63n;

/** r0 = a (64-bit), r1 = b, then `op`, exit. */
function binop(a: bigint, b: bigint, op: Instruction): bigint {
  return r0([LoadImm64(R0, a), LoadImm64(R1, b), op, Exit()]);
}

describe("division and modulo", () => {
  it("x / 0 = 0 and x % 0 = x (64-bit)", () => {
    expect(binop(42n, 0n, Div64.reg(R0, R1))).toBe(0n);
    expect(binop(42n, 0n, Mod64.reg(R0, R1))).toBe(42n);
    expect(binop(-7n, 0n, SDiv64.reg(R0, R1))).toBe(0n);
    expect(binop(-7n, 0n, SMod64.reg(R0, R1))).toBe(u64(-7n));
  });

  it("32-bit mod by zero keeps dst's low half, zero-extended", () => {
    expect(binop(0x1_0000_0005n, 0n, Mod32.reg(R0, R1))).toBe(5n);
    expect(binop(0xffff_ffff_ffff_fff9n, 0n, SMod32.reg(R0, R1))).toBe(0xffff_fff9n);
    expect(binop(0x1_0000_0005n, 0n, Div32.reg(R0, R1))).toBe(0n);
  });

  it("INT_MIN s/ -1 = INT_MIN and INT_MIN s% -1 = 0", () => {
    expect(binop(INT64_MIN, -1n, SDiv64.reg(R0, R1))).toBe(INT64_MIN);
    expect(binop(INT64_MIN, -1n, SMod64.reg(R0, R1))).toBe(0n);
    expect(binop(0x8000_0000n, -1n, SDiv32.reg(R0, R1))).toBe(0x8000_0000n);
    expect(binop(0x8000_0000n, -1n, SMod32.reg(R0, R1))).toBe(0n);
  });

  it("signed results truncate toward zero; unsigned division is 64-bit exact", () => {
    expect(binop(-7n, 2n, SDiv64.reg(R0, R1))).toBe(u64(-3n));
    expect(binop(-7n, 2n, SMod64.reg(R0, R1))).toBe(u64(-1n));
    expect(binop(7n, -2n, SMod32.reg(R0, R1))).toBe(1n);
    expect(binop(-1n, 3n, Div64.reg(R0, R1))).toBe(0x5555_5555_5555_5555n);
    expect(r0([LoadImm64(R0, -1n), Div64.imm(R0, -1), Exit()])).toBe(1n); // imm sign-extended
  });
});

describe("shifts", () => {
  it("masks shift counts to 63 and 31", () => {
    expect(binop(1n, 65n, Lsh64.reg(R0, R1))).toBe(2n);
    expect(binop(1n, 33n, Lsh32.reg(R0, R1))).toBe(2n);
    expect(binop(0x8000_0000_0000_0000n, 127n, Rsh64.reg(R0, R1))).toBe(1n);
    expect(r0([Mov64.imm(R0, 1), Lsh64.imm(R0, 64 + 40), Exit()])).toBe(1n << 40n);
  });

  it("arithmetic right shifts keep the sign", () => {
    expect(binop(INT64_MIN, 63n, Arsh64.reg(R0, R1))).toBe(u64(-1n));
    expect(binop(0x8000_0000n, 4n, Arsh32.reg(R0, R1))).toBe(0xf800_0000n);
    expect(binop(u64(-256n), 36n, Arsh64.reg(R0, R1))).toBe(u64(-1n));
  });
});

describe("32-bit results and sign extension", () => {
  it("zero-extends 32-bit ALU results", () => {
    expect(r0([Mov64.imm(R0, -1), Add32.imm(R0, 1), Exit()])).toBe(0n);
    expect(r0([Mov64.imm(R0, -1), Mov32.imm(R1, -1), Mov64.reg(R0, R1), Exit()])).toBe(
      0xffff_ffffn,
    );
    expect(r0([Mov32.imm(R0, 5), Neg32(R0), Exit()])).toBe(0xffff_fffbn);
  });

  it("sign-extends 64-bit immediates", () => {
    expect(r0([Mov64.imm(R0, -2), Exit()])).toBe(u64(-2n));
    expect(r0([Mov64.imm(R0, 3), Mul64.imm(R0, -1), Exit()])).toBe(u64(-3n));
  });

  it("movsx 8/16/32 into 64 and 8/16 into 32", () => {
    expect(binop(0n, 0x80n, MovSx64(R0, R1, 8))).toBe(u64(-128n));
    expect(binop(0n, 0x1_8000n, MovSx64(R0, R1, 16))).toBe(u64(-32768n));
    expect(binop(0n, 0x1_8000_0000n, MovSx64(R0, R1, 32))).toBe(u64(-0x8000_0000n));
    expect(binop(0n, 0xffn, MovSx32(R0, R1, 8))).toBe(0xffff_ffffn);
    expect(binop(0n, 0x7fffn, MovSx32(R0, R1, 16))).toBe(0x7fffn);
  });

  it("byte swaps and truncations", () => {
    const x = 0x0102_0304_0506_0708n;
    expect(r0([LoadImm64(R0, x), ToBe(R0, 16), Exit()])).toBe(0x0807n);
    expect(r0([LoadImm64(R0, x), ToBe(R0, 32), Exit()])).toBe(0x0807_0605n);
    expect(r0([LoadImm64(R0, x), ToBe(R0, 64), Exit()])).toBe(0x0807_0605_0403_0201n);
    expect(r0([LoadImm64(R0, x), ToLe(R0, 16), Exit()])).toBe(0x0708n);
    expect(r0([LoadImm64(R0, x), Bswap(R0, 64), Exit()])).toBe(0x0807_0605_0403_0201n);
  });
});
