// Integer types as tsbpf sees them: a width, a signedness and a byte order.
// TypeScript erases `type u16 = number` to `number`, so these are recovered
// from annotation text (see annotations.ts); this file holds the pure rules:
// which conversions are implicit, how two operands meet, literal ranges.

export interface IntType {
  bits: 8 | 16 | 32 | 64;
  signed: boolean;
  /** Network byte order (be16/be32): only compared, copied and swapped. */
  be?: boolean;
  /** `bool`: a u8 that holds 0 or 1. */
  bool?: boolean;
}

export const U8: IntType = { bits: 8, signed: false };
export const U16: IntType = { bits: 16, signed: false };
export const U32: IntType = { bits: 32, signed: false };
export const U64: IntType = { bits: 64, signed: false };
export const I8: IntType = { bits: 8, signed: true };
export const I16: IntType = { bits: 16, signed: true };
export const I32: IntType = { bits: 32, signed: true };
export const I64: IntType = { bits: 64, signed: true };
export const BE16: IntType = { bits: 16, signed: false, be: true };
export const BE32: IntType = { bits: 32, signed: false, be: true };
export const BE64: IntType = { bits: 64, signed: false, be: true };
export const BOOL: IntType = { bits: 8, signed: false, bool: true };

/** The stdlib's alias names. */
export const INT_ALIASES: ReadonlyMap<string, IntType> = new Map([
  ["u8", U8],
  ["u16", U16],
  ["u32", U32],
  ["u64", U64],
  ["i8", I8],
  ["i16", I16],
  ["i32", I32],
  ["i64", I64],
  ["be16", BE16],
  ["be32", BE32],
  ["be64", BE64],
  ["bool", BOOL],
  ["boolean", BOOL],
]);

export function typeName(t: IntType): string {
  if (t.bool) return "bool";
  if (t.be) return `be${t.bits}`;
  return `${t.signed ? "i" : "u"}${t.bits}`;
}

export function sameType(a: IntType, b: IntType): boolean {
  return a.bits === b.bits && a.signed === b.signed && !!a.be === !!b.be;
}

/** Register width an operation on this type runs at. */
export function regWidth(t: IntType): 32 | 64 {
  return t.bits === 64 ? 64 : 32;
}

export function minOf(t: IntType): bigint {
  return t.signed ? -(1n << BigInt(t.bits - 1)) : 0n;
}
export function maxOf(t: IntType): bigint {
  return t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
}
export function literalFits(value: bigint, t: IntType): boolean {
  return value >= minOf(t) && value <= maxOf(t);
}

/** Wrap an exact value to the type's range (two's complement). */
export function wrap(value: bigint, t: IntType): bigint {
  return t.signed ? BigInt.asIntN(t.bits, value) : BigInt.asUintN(t.bits, value);
}

/** Whether every value of `from` is a value of `to` (widening). */
export function widens(from: IntType, to: IntType): boolean {
  if (!!from.be !== !!to.be) return false;
  if (from.be) return from.bits === to.bits;
  if (from.signed === to.signed) return to.bits >= from.bits;
  if (!from.signed && to.signed) return to.bits > from.bits;
  return false;
}

/** The type both operands widen to, or undefined when they do not meet. */
export function commonType(a: IntType, b: IntType): IntType | undefined {
  if (widens(a, b)) return b.bool ? U8 : b;
  if (widens(b, a)) return a.bool ? U8 : a;
  return undefined;
}

/** The type of an integer literal with no other context. */
export function literalDefault(value: bigint): IntType {
  if (value >= 0n) return value <= maxOf(U32) ? U32 : U64;
  return value >= minOf(I32) ? I32 : I64;
}
