/// <reference no-default-lib="true"/>
// The only global lib of tsbpf programs. It replaces TypeScript's default lib, so JS
// globals with no BPF meaning (console, Math, Date, Map, Promise...) do not type-check,
// and declares the global types every program uses: the width-carrying integer aliases,
// pointers, fixed-size arrays. Widths are read by the compiler from the alias NAMES in
// annotations (the checker erases aliases to number), so they must stay distinct names.

/** Unsigned 8-bit integer (C `__u8`). */
type u8 = number;
/** Unsigned 16-bit integer (C `__u16`). */
type u16 = number;
/** Unsigned 32-bit integer (C `__u32`). */
type u32 = number;
/** Unsigned 64-bit integer (C `__u64`); literals are exact (read from source text). */
type u64 = number;
/** Signed 8-bit integer (C `__s8`). */
type i8 = number;
/** Signed 16-bit integer (C `__s16`). */
type i16 = number;
/** Signed 32-bit integer (C `__s32`, `int`). */
type i32 = number;
/** Signed 64-bit integer (C `__s64`, `long`). */
type i64 = number;
/** C `_Bool`: one byte, 0 or 1; accepts true/false and numbers. */
type bool = boolean | number;
/** 16-bit value in network byte order (C `__be16`); convert with ntohs/htons. */
type be16 = number;
/** 32-bit value in network byte order (C `__be32`); convert with ntohl/htonl. */
type be32 = number;
/** 64-bit value in network byte order (C `__be64`); convert with ntohll/htonll. */
type be64 = number;

declare const __tsbpf_pointee: unique symbol;
declare const __tsbpf_struct: unique symbol;

/**
 * A pointer to memory holding a T (C `T *`): a map value, a stack slot from addressOf, a
 * kernel object. Opaque: it cannot be built from a number. Ptr (= Ptr<unknown>) is `void *`.
 */
interface Ptr<T = unknown> {
  readonly [__tsbpf_pointee]: T;
}

/** A live reference to a scalar in memory (a map value of integer type): `.value` reads/writes it. */
interface Ref<T> extends Ptr<T> {
  value: T;
}

/** An opaque C struct known by name only (kernel objects, bpf_dynptr, bpf_timer, iterators). */
interface Struct<Name extends string> {
  readonly [__tsbpf_struct]: Name;
}

type __TupleOf<T, N extends number, R extends T[]> = R["length"] extends N
  ? R
  : __TupleOf<T, N, [...R, T]>;

/** N elements of T stored inline (C `T name[N]`): a tuple type, so literals and indexes are checked. */
type FixedArray<T, N extends number> = __TupleOf<T, N, []>;
/** N bytes stored inline (C `__u8 name[N]`), e.g. a MAC address `Bytes<6>`. */
type Bytes<N extends number> = FixedArray<u8, N>;

/** A C string argument: a string literal (placed in .rodata) or a pointer to bytes. */
type CStr = string | Ptr;

/** A top-level function passed to a helper by address (bpf_loop, bpf_for_each_map_elem, timers). */
type Callback = (...args: never[]) => number | void;

// The globals TypeScript itself needs to type-check literals, functions and for-of.
interface Array<T> {
  length: number;
  [n: number]: T;
  [Symbol.iterator](): IterableIterator<T>;
}
interface ReadonlyArray<T> {
  readonly length: number;
  readonly [n: number]: T;
  [Symbol.iterator](): IterableIterator<T>;
}
interface Boolean {}
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface IArguments {}
interface Number {}
interface Object {}
interface RegExp {}
interface String {
  readonly length: number;
}
interface Symbol {}
interface SymbolConstructor {
  readonly iterator: unique symbol;
}
declare var Symbol: SymbolConstructor;
interface IteratorYieldResult<T> {
  done?: false;
  value: T;
}
interface IteratorReturnResult<T> {
  done: true;
  value: T;
}
type IteratorResult<T, TReturn = undefined> =
  IteratorYieldResult<T> | IteratorReturnResult<TReturn>;
interface Iterator<T, TReturn = undefined, TNext = undefined> {
  next(...args: [] | [TNext]): IteratorResult<T, TReturn>;
}
interface Iterable<T, TReturn = undefined, TNext = undefined> {
  [Symbol.iterator](): Iterator<T, TReturn, TNext>;
}
interface IterableIterator<T, TReturn = undefined, TNext = undefined> extends Iterator<
  T,
  TReturn,
  TNext
> {
  [Symbol.iterator](): IterableIterator<T, TReturn, TNext>;
}
interface TemplateStringsArray extends ReadonlyArray<string> {}
