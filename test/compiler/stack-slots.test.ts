// Stack slot sharing (compiler/regalloc/stack-slots.ts). A program with
// sixteen sequential map operations (fixtures/compiler/stack/many_map_ops.ts)
// used one stack object per key and value, 272 bytes; clang-19 -O2 needs 40
// for the same C (many_map_ops.c), and we must not need more. The kernel
// verifies it and runs it, and the sums it stores show every key and value
// reached its helper intact, in the kernel and in the interpreter. Small IR
// functions check the liveness rules the packing relies on (loops, reads
// after a helper fills an object, escaped addresses).
// Reproduce: npx vitest run test/compiler/stack-slots.test.ts
//            npx tsx scripts/stack-depth.ts test/fixtures/compiler/stack/many_map_ops.{ts,c}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clangArgv } from "../../bench/lib/objects.js";
import { OBJDUMP_ARGS, stackDepths } from "../../bench/lib/stack-depth.js";
import type { Block, IrFunction, IrInsn, Terminator } from "../../compiler/ir/ir.js";
import { imm, reg } from "../../compiler/ir/ir.js";
import { packStackFrame } from "../../compiler/regalloc/stack-slots.js";
import { loadObject } from "../../runtime/index.js";
import {
  loadWithBpftool,
  lookupMap,
  programMaps,
  run,
  testRun,
  xdpMd,
} from "../../runtime/kernel/index.js";
import { describeKernel, kernelTest } from "../kernel/kernel-test.js";
import { buildObject, FIXTURES } from "./compile-fixture.js";

const SOURCE = join(FIXTURES, "stack/many_map_ops.ts");
const C_SOURCE = join(FIXTURES, "stack/many_map_ops.c");
/** clang-19 -O2 -mcpu=v4's stack depth for many_map_ops.c (checked again below when clang runs). */
const CLANG_DEPTH = 40;

/** An Ethernet frame whose source MAC ends in `s` (the program's seed), padded to 64 bytes. */
const packet = (s: number) => {
  const p = new Uint8Array(64);
  p[11] = s;
  p[12] = 0x08;
  return p;
};
/** What the program stores in out[0..2] for seed s (see many_map_ops.ts). */
const expected = (s: bigint) => [
  s + 1n + (s + 2n) * 10n + (s + 3n) * 100n + (s + 4n) * 1000n,
  s * 2n + s * 3n * 10n + s * 4n * 100n + s * 5n * 1000n,
  7n + 80n + 900n + 10000n,
];
const u32le = (n: number) => Uint8Array.of(n, 0, 0, 0);
const u64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);

describe("stack slot sharing: many sequential map operations", () => {
  it("packs the keys and values into a frame no deeper than clang's", () => {
    const { result } = buildObject(SOURCE);
    const prog = result.module!.programs.find((p) => p.name === "many_map_ops")!;
    expect(prog.frameSize).toBeGreaterThan(0);
    expect(prog.frameSize).toBeLessThanOrEqual(CLANG_DEPTH);
  });

  it("agrees with the interpreter on what reached the maps", () => {
    const { result } = buildObject(SOURCE);
    const obj = loadObject(result.object!);
    const r = obj.program("many_map_ops").run({ packet: packet(3) });
    expect(r.fault).toBeUndefined();
    const out = [0, 1, 2].map((k) => u64(obj.maps["out"]!.get(u32le(k))!));
    expect(out).toEqual(expected(3n));
  });
});

describeKernel("stack slot sharing in the kernel", () => {
  kernelTest(
    "many_map_ops: as deep as clang-19 at most, measured the same way from llvm-objdump-19",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "tsbpf-stack-"));
      const { result } = buildObject(SOURCE);
      const ours = join(dir, "ours.o");
      const theirs = join(dir, "clang.o");
      writeFileSync(ours, result.object!);
      await run("clang-19", clangArgv(C_SOURCE, theirs));
      const depth = async (o: string) =>
        stackDepths((await run("llvm-objdump-19", [...OBJDUMP_ARGS, o])).stdout).get(
          "many_map_ops",
        );
      const clang = await depth(theirs);
      expect(clang).toBe(CLANG_DEPTH);
      expect(await depth(ours)).toBeLessThanOrEqual(clang!);
    },
    { tools: ["clang-19", "llvm-objdump-19"], timeout: 60_000 },
  );

  kernelTest(
    "many_map_ops: verified, runs, the sums read back from the kernel's map",
    async () => {
      const { objPath } = buildObject(SOURCE);
      const h = await loadWithBpftool(objPath, { type: "xdp", programName: "many_map_ops" });
      try {
        expect(h.btfIgnored).toBe(false);
        const data = packet(5);
        const r = await testRun(h, { data, ctx: xdpMd({ packetLength: data.length }) });
        expect(r.retval).toBe(2); // XDP_PASS
        const out = (await programMaps(h.program)).find((m) => m.name === "out")!;
        const got = [];
        for (const k of [0, 1, 2]) got.push(u64((await lookupMap(out.id, u32le(k)))!.value!));
        expect(got).toEqual(expected(5n));
      } finally {
        h.dispose();
      }
    },
    { timeout: 60_000 },
  );
});

// Hand-built IR: objects 0 and 1 (8 bytes each), `frame` pointers into them.
function fn(blocks: Block[], objects = 2): IrFunction {
  return {
    name: "t",
    params: [],
    blocks,
    entry: blocks[0]!,
    nextVreg: 100,
    frameSize: 8 * objects,
    stackObjects: Array.from({ length: objects }, (_, k) => ({ off: -8 * (k + 1), size: 8 })),
    pointers: new Set(),
  };
}
const block = (id: number, insns: IrInsn[], term: Terminator): Block => ({ id, insns, term });
const ret: Terminator = { op: "ret", value: imm(0) };
const addr = (dst: number, obj: number): IrInsn => ({ op: "frame", dst, off: -8 * (obj + 1) });
const put = (p: number): IrInsn => ({ op: "store", size: 8, base: p, off: 0, src: imm(1) });
const get = (dst: number, p: number): IrInsn => ({ op: "load", size: 8, dst, base: p, off: 0 });
/** bpf_map_lookup_elem(map, p): a helper reading the object. */
const pass = (p: number): IrInsn => ({ op: "call", helper: 1, args: [imm(0), reg(p)], dst: 50 });
const offsets = (f: IrFunction) =>
  f.blocks.flatMap((b) => b.insns.flatMap((i) => (i.op === "frame" ? [i.off] : [])));

describe("stack slot sharing: liveness rules", () => {
  it("shares the bytes of two objects used one after the other", () => {
    const f = fn([block(0, [addr(1, 0), put(1), pass(1), addr(2, 1), put(2), pass(2)], ret)]);
    expect(packStackFrame(f, 16)).toBe(8);
    expect(new Set(offsets(f)).size).toBe(1);
  });

  it("keeps apart an object read after a loop and one used inside it", () => {
    // b0: A = 1; b1 (loop): B = 1; pass B; loop back or leave; b2: pass A.
    const b2 = block(2, [addr(3, 0), pass(3)], ret);
    const b1 = block(1, [addr(2, 1), put(2), pass(2)], ret);
    b1.term = { op: "br", w: 64, cond: "eq", a: 50, b: imm(0), then: b1, else: b2 };
    const b0 = block(0, [addr(1, 0), put(1)], { op: "jmp", target: b1 });
    const f = fn([b0, b1, b2]);
    expect(packStackFrame(f, 16)).toBe(16);
  });

  it("keeps apart an object a loop reads on its next round and one used after it in the body", () => {
    // b1 (loop): pass A; A = 1; B = 1; pass B; loop back. A's value crosses the back edge.
    const b2 = block(2, [], ret);
    const b1 = block(1, [addr(1, 0), pass(1), put(1), addr(2, 1), put(2), pass(2)], ret);
    b1.term = { op: "br", w: 64, cond: "eq", a: 50, b: imm(0), then: b1, else: b2 };
    const f = fn([block(0, [], { op: "jmp", target: b1 }), b1, b2]);
    expect(packStackFrame(f, 16)).toBe(16);
  });

  it("does not let an object filled by a helper start before its first use", () => {
    // A filled by a helper (no store first), read; then B. They share: A's contents only
    // matter from the call on.
    const f = fn([block(0, [addr(2, 1), put(2), pass(2), addr(1, 0), pass(1), get(3, 1)], ret)]);
    expect(packStackFrame(f, 16)).toBe(8);
  });

  it("does not count a store as overwriting an object when the pointer may hold another address", () => {
    // A = 1; B used; p = &A on one path, a map value on the other; *p = 1; pass A.
    // The store may miss A, so A's first value is still wanted while B is in use.
    const b3 = block(3, [put(5), addr(6, 0), pass(6)], ret);
    const b1 = block(1, [addr(5, 0)], { op: "jmp", target: b3 });
    const b2 = block(2, [{ op: "call", helper: 1, args: [imm(0), imm(0)], dst: 5 }], {
      op: "jmp",
      target: b3,
    });
    const b0 = block(0, [addr(1, 0), put(1), addr(2, 1), put(2), pass(2)], ret);
    b0.term = { op: "br", w: 64, cond: "eq", a: 50, b: imm(0), then: b1, else: b2 };
    const f = fn([b0, b1, b2, b3]);
    expect(packStackFrame(f, 16)).toBe(16);
  });

  it("keeps an object whose address was stored in memory to itself", () => {
    const escape: IrInsn = { op: "store", size: 8, base: 2, off: 0, src: reg(1) };
    const f = fn([block(0, [addr(1, 0), put(1), addr(2, 1), escape, pass(2)], ret)]);
    expect(packStackFrame(f, 16)).toBe(16);
  });

  it("keeps apart the objects one helper call is handed", () => {
    const update: IrInsn = { op: "call", helper: 2, args: [imm(0), reg(1), reg(2), imm(0)] };
    const f = fn([block(0, [addr(1, 0), put(1), addr(2, 1), put(2), update], ret)]);
    expect(packStackFrame(f, 16)).toBe(16);
  });
});
