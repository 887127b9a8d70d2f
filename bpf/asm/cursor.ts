// A cursor over one line's tokens with the small vocabulary the instruction
// parser needs (registers, immediates, memory operands). Every failure is an
// AsmError at the offending token.

import { type Instruction, Size } from "../isa/index.js";
import { SIGNED_TYPES, UNSIGNED_TYPES, invert } from "../disasm/syntax.js";
import { AsmError } from "./errors.js";
import type { Token } from "./lexer.js";

export interface RegRef {
  n: number;
  /** `w` names the low 32 bits (ALU32, JMP32, 32-bit values). */
  wide: boolean;
  column: number;
}

export class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    readonly line: number,
    private readonly endColumn: number,
  ) {}

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.i + ahead];
  }
  column(): number {
    return this.peek()?.column ?? this.endColumn;
  }
  fail(message: string, column = this.column()): never {
    throw new AsmError(message, this.line, column);
  }
  next(what: string): Token {
    const t = this.tokens[this.i];
    if (!t) this.fail(`expected ${what}, found end of line`);
    this.i++;
    return t;
  }
  /** Consume `text` if it is next. */
  accept(text: string): boolean {
    if (this.peek()?.text !== text) return false;
    this.i++;
    return true;
  }
  expect(text: string): void {
    const t = this.peek();
    if (t?.text !== text) this.fail(`expected '${text}'${t ? `, found '${t.text}'` : ""}`);
    this.i++;
  }
  end(): void {
    const t = this.peek();
    if (t) this.fail(`unexpected '${t.text}' after the instruction`);
  }

  isReg(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t?.kind === "ident" && /^[rw]\d+$/.test(t.text);
  }
  reg(): RegRef {
    const t = this.next("a register");
    const m = /^([rw])(\d+)$/.exec(t.text);
    if (t.kind !== "ident" || !m) this.fail(`expected a register, found '${t.text}'`, t.column);
    const n = Number(m[2]);
    // r11 is what llvm-objdump prints for a dst/src field of 11; r12-r15 it rejects.
    if (n > 11) this.fail(`no register ${t.text} (r0-r10)`, t.column);
    return { n, wide: m[1] === "w", column: t.column };
  }
  /** A register that must be a 64-bit name (`r1`), e.g. a memory base. */
  reg64(): number {
    const r = this.reg();
    if (r.wide) this.fail(`a pointer register is named r${r.n}, not w${r.n}`, r.column);
    return r.n;
  }

  isNumber(): boolean {
    const t = this.peek();
    const sign = t?.text === "-" || t?.text === "+";
    return (sign ? this.peek(1) : t)?.kind === "number";
  }
  /** A signed number in [min, max] (bigint so 64-bit `lddw` values are exact). */
  bigint(min: bigint, max: bigint, what: string): bigint {
    const column = this.column();
    const negative = this.accept("-");
    if (!negative) this.accept("+");
    const t = this.next(what);
    if (t.kind !== "number") this.fail(`expected ${what}, found '${t.text}'`, t.column);
    const value = negative ? -BigInt(t.text) : BigInt(t.text);
    if (value < min || value > max) this.fail(`${what} ${t.text} out of range`, column);
    return value;
  }
  /** A 32-bit immediate; 0x80000000-0xffffffff are taken as their signed value. */
  imm32(what = "an immediate"): number {
    return Number(BigInt.asIntN(32, this.bigint(-(1n << 31n), (1n << 32n) - 1n, what)));
  }
  off16(what = "an offset"): number {
    return Number(this.bigint(-(1n << 15n), (1n << 15n) - 1n, what));
  }

  /** `r1 + 0x8`, `r10 - 0x4` or `r1`: base register and signed offset. */
  address(): { base: number; off: number } {
    const base = this.reg64();
    if (this.peek()?.text !== "+" && this.peek()?.text !== "-") return { base, off: 0 };
    const negative = this.next("+ or -").text === "-";
    const column = this.column();
    const magnitude = this.bigint(0n, 1n << 15n, "an offset");
    const off = negative ? -magnitude : magnitude;
    if (off > 32767n) this.fail("offset out of range", column);
    return { base, off: Number(off) };
  }
  /** `(u32 *)` or `(s16 *)`, returning the type name. */
  castType(): { name: string; column: number } {
    this.expect("(");
    const t = this.next("a type such as u32");
    this.expect("*");
    this.expect(")");
    return { name: t.text, column: t.column };
  }
}

export const SIZE_BY_UTYPE = invert(UNSIGNED_TYPES);
export const SIZE_BY_STYPE = invert(SIGNED_TYPES);

export function insn(
  opcode: number,
  dst: number,
  src: number,
  off: number,
  imm: number,
): Instruction {
  return { opcode, dst, src, off, imm };
}

/** `(u32 *)` -> Size.W, through one of the tables above. */
export function sizeOf(c: Cursor, types: Map<string, Size>): Size {
  const t = c.castType();
  const s = types.get(t.name);
  if (s === undefined) c.fail(`unknown access type '${t.name}'`, t.column);
  return s;
}

export function sameWidth(c: Cursor, a: RegRef, b: RegRef): void {
  if (a.wide !== b.wide) c.fail(`mixes r and w registers`, b.column);
}
