// Unit tests of the local-object kfunc families on a hand-built RunEnv and a
// hand-built program BTF (the kernel comparisons are graph-kernel,
// kern-ctx-kernel and kfunc-refused-kernel): the red-black tree's
// invariants under random inserts and erases, object sizing and use after
// free, list order, double insertion, the verifier's rules (spin lock held,
// __contains type), rbtree less() callbacks run in the VM, bpf_throw's
// record, stream output, the simulated kernel context, and bpf_per_cpu_ptr/
// bpf_this_cpu_ptr on per-CPU objects.

import { describe, expect, it } from "vitest";
import type { BtfType } from "../../bpf/btf/types.js";
import { takeThrown } from "../../runtime/helpers/exceptions.js";
import { localObjectKfuncs } from "../../runtime/helpers/local-objects.js";
import { percpuPtrHelpers } from "../../runtime/helpers/percpu-ptr.js";
import { attachProgramInfo } from "../../runtime/helpers/program-btf.js";
import { RbTree, type RbNode } from "../../runtime/helpers/rb-tree.js";
import { runStreams } from "../../runtime/helpers/streams.js";
import { codePtr } from "../../runtime/vm/memory.js";
import { call, makeEnv, type TestEnv } from "./harness.js";

const K = localObjectKfuncs;

/** The red-black rules and parent links (an error message, or the black height). */
function check<T>(n: RbNode<T> | undefined, parent: RbNode<T> | undefined): number | string {
  if (!n) return 1;
  if (n.parent !== parent) return "bad parent link";
  if (n.red && (n.left?.red || n.right?.red)) return "red node with a red child";
  const l = check(n.left, n);
  const r = check(n.right, n);
  if (typeof l === "string") return l;
  if (typeof r === "string") return r;
  if (l !== r) return "unequal black heights";
  return l + (n.red ? 0 : 1);
}

describe("rb-tree (lib/rbtree.c shapes)", () => {
  it("keeps the red-black rules, order and leftmost through 1500 random operations", () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) % 100;
    const tree = new RbTree<{ key: number; id: number }>();
    const placed: RbNode<{ key: number; id: number }>[] = [];
    let model: { key: number; id: number }[] = [];
    for (let i = 0; i < 1500; i++) {
      if (placed.length && rnd() < 40) {
        const [n] = placed.splice(rnd() % placed.length, 1);
        tree.erase(n!);
        model = model.filter((v) => v !== n!.value);
      } else {
        const v = { key: rnd(), id: i };
        placed.push(tree.insert(v, (a, b) => a.key < b.key));
        model.push(v);
      }
      // Equal keys keep insertion order (ties go right), as the kernel's walk does.
      const sorted = [...model].sort((a, b) => a.key - b.key || a.id - b.id);
      const values = tree.values();
      const ok =
        !tree.root?.red &&
        typeof check(tree.root, undefined) === "number" &&
        values.length === sorted.length &&
        values.every((v, k) => v === sorted[k]) &&
        tree.leftmost?.value === sorted[0] &&
        tree.size === model.length;
      if (!ok) expect.fail(`operation ${i}: ${String(check(tree.root, undefined))}`);
    }
  });
});

// The program BTF: struct item { u64 v; struct bpf_list_node node; },
// struct tnode { u64 key; struct bpf_rb_node rb; }, struct ref { u64 v;
// struct bpf_refcount rc; struct bpf_list_node l; }, and a ".data.A" section
// holding glock, ghead __contains(item, node), groot __contains(tnode, rb).
const u64 = 1;
const TYPES: (BtfType | undefined)[] = [
  undefined,
  { kind: "int", name: "u64", size: 8, encoding: 0, bitOffset: 0, bits: 64 },
  { kind: "struct", name: "bpf_list_node", size: 24, members: [] },
  {
    kind: "struct",
    name: "item",
    size: 32,
    members: [
      { name: "v", type: u64, bitOffset: 0, bitfieldSize: 0 },
      { name: "node", type: 2, bitOffset: 64, bitfieldSize: 0 },
    ],
  },
  { kind: "struct", name: "bpf_list_head", size: 16, members: [] },
  { kind: "struct", name: "bpf_spin_lock", size: 4, members: [] },
  { kind: "var", name: "glock", type: 5, linkage: 1 },
  { kind: "var", name: "ghead", type: 4, linkage: 1 },
  { kind: "decl_tag", name: "contains:item:node", type: 7, componentIdx: -1 },
  { kind: "struct", name: "bpf_rb_node", size: 32, members: [] },
  {
    kind: "struct",
    name: "tnode",
    size: 40,
    members: [
      { name: "key", type: u64, bitOffset: 0, bitfieldSize: 0 },
      { name: "rb", type: 9, bitOffset: 64, bitfieldSize: 0 },
    ],
  },
  { kind: "struct", name: "bpf_rb_root", size: 16, members: [] },
  { kind: "var", name: "groot", type: 11, linkage: 1 },
  { kind: "decl_tag", name: "contains:tnode:rb", type: 12, componentIdx: -1 },
  { kind: "struct", name: "bpf_refcount", size: 4, members: [] },
  {
    kind: "struct",
    name: "ref",
    size: 40,
    members: [
      { name: "v", type: u64, bitOffset: 0, bitfieldSize: 0 },
      { name: "rc", type: 14, bitOffset: 64, bitfieldSize: 0 },
      { name: "l", type: 2, bitOffset: 128, bitfieldSize: 0 },
    ],
  },
  {
    kind: "datasec",
    name: ".data.A",
    size: 0,
    vars: [
      { type: 6, offset: 0, size: 4 },
      { type: 7, offset: 0, size: 16 },
      { type: 12, offset: 0, size: 16 },
    ],
  },
];
const ITEM = 3;
const TNODE = 10;
const REF = 15;

/** less(a, b): a's key < b's key, keys 8 bytes before the rb node (slot 2). */
const LESS = [
  "r0 = 0",
  "exit",
  "r3 = *(u64 *)(r1 - 8)",
  "r4 = *(u64 *)(r2 - 8)",
  "r0 = 0",
  "if r3 >= r4 goto +1",
  "r0 = 1",
  "exit",
].join("\n");

function setup(): { env: TestEnv; lock: bigint; head: bigint; root: bigint } {
  const env = makeEnv({ code: LESS });
  attachProgramInfo(env, {
    types: TYPES,
    // clang leaves DATASEC offsets 0: the symbol table's, as the loader passes them.
    globalOffsets: new Map([
      [
        ".data.A",
        new Map([
          ["glock", 0],
          ["ghead", 8],
          ["groot", 24],
        ]),
      ],
    ]),
    mapValueTypes: new Map(),
    exceptionCallbacks: new Map(),
  });
  const data = env.vm.mem.addRegion("global", new Uint8Array(40), { name: ".data.A" });
  return { env, lock: data.ptr, head: data.ptr + 8n, root: data.ptr + 24n };
}

const lock = (env: TestEnv, p: bigint, held: boolean) =>
  env.vm.mem.write(p, Uint8Array.of(held ? 1 : 0, 0, 0, 0));
const u64At = (env: TestEnv, p: bigint) =>
  new DataView(env.vm.mem.read(p, 8).slice().buffer).getBigUint64(0, true);
const setU64 = (env: TestEnv, p: bigint, v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  env.vm.mem.write(p, b);
};

describe("local kptr objects and lists", () => {
  it("bpf_obj_new sizes the object from the program's BTF; a use after drop faults", () => {
    const { env } = setup();
    const p = call(env, K, "bpf_obj_new_impl", ITEM, 0);
    expect(env.vm.mem.regionOf(p)?.region.bytes.length).toBe(32);
    expect(() => env.vm.mem.read(p + 32n, 1)).toThrow(/offset 32/);
    call(env, K, "bpf_obj_drop_impl", p, 0);
    expect(() => env.vm.mem.read(p, 8)).toThrow(/unmapped/);
    expect(() => call(env, K, "bpf_obj_drop_impl", p, 0)).toThrow(/not a live object/);
    expect(() => call(env, K, "bpf_obj_new_impl", u64, 0)).toThrow(/not a struct/);
  });

  it("pushes front and back, pops in list order, NULL when empty", () => {
    const { env, lock: l, head } = setup();
    lock(env, l, true);
    const objs = [1n, 2n, 3n].map((v) => {
      const p = call(env, K, "bpf_obj_new_impl", ITEM, 0);
      setU64(env, p, v);
      return p;
    });
    expect(call(env, K, "bpf_list_push_back_impl", head, objs[0]! + 8n, 0, 0)).toBe(0n);
    expect(call(env, K, "bpf_list_push_front_impl", head, objs[1]! + 8n, 0, 0)).toBe(0n);
    expect(call(env, K, "bpf_list_push_back_impl", head, objs[2]! + 8n, 0, 0)).toBe(0n);
    const popped = [
      call(env, K, "bpf_list_pop_back", head),
      call(env, K, "bpf_list_pop_front", head),
      call(env, K, "bpf_list_pop_front", head),
    ].map((n) => u64At(env, BigInt.asUintN(64, n) - 8n));
    expect(popped).toEqual([3n, 2n, 1n]);
    expect(call(env, K, "bpf_list_pop_front", head)).toBe(0n);
    // The head's bytes stay zero (a user-space lookup sees an initialised head).
    expect([...env.vm.mem.read(head, 16)].every((b) => b === 0)).toBe(true);
  });

  it("faults where the verifier refuses: lock not held, wrong node type, wrong head", () => {
    const { env, lock: l, head, root } = setup();
    const item = call(env, K, "bpf_obj_new_impl", ITEM, 0);
    expect(() => call(env, K, "bpf_list_push_back_impl", head, item + 8n, 0, 0)).toThrow(
      /bpf_spin_lock protecting this bpf_list_head is not held/,
    );
    lock(env, l, true);
    const t = call(env, K, "bpf_obj_new_impl", TNODE, 0);
    expect(() => call(env, K, "bpf_list_push_back_impl", head, t + 8n, 0, 0)).toThrow(
      /the node is tnode at offset 8, the head contains item.node/,
    );
    expect(() => call(env, K, "bpf_rbtree_first", head)).toThrow(/not a bpf_rb_root/);
    expect(call(env, K, "bpf_rbtree_first", root)).toBe(0n);
  });

  it("a refcounted node pushed twice: -EINVAL and the extra reference dropped", () => {
    const env = makeEnv();
    const types = [...TYPES];
    // A list head inside a struct in a map-less setting: use a local object as the holder.
    attachProgramInfo(env, {
      types,
      globalOffsets: new Map(),
      mapValueTypes: new Map(),
      exceptionCallbacks: new Map(),
    });
    const holder = env.vm.mem.addRegion("memory", new Uint8Array(16), { name: "head" });
    const r = call(env, K, "bpf_obj_new_impl", REF, 0);
    expect(call(env, K, "bpf_refcount_acquire_impl", r, 0)).toBe(r);
    expect(call(env, K, "bpf_list_push_back_impl", holder.ptr, r + 16n, 0, 0)).toBe(0n);
    expect(call(env, K, "bpf_list_push_back_impl", holder.ptr, r + 16n, 0, 0)).toBe(-22n);
    // One reference is left (the list's): the object is alive until popped and dropped.
    const n = BigInt.asUintN(64, call(env, K, "bpf_list_pop_front", holder.ptr));
    expect(n).toBe(r + 16n);
    call(env, K, "bpf_obj_drop_impl", r, 0);
    expect(() => env.vm.mem.read(r, 8)).toThrow(/unmapped/);
    const item = call(env, K, "bpf_obj_new_impl", ITEM, 0);
    expect(() => call(env, K, "bpf_refcount_acquire_impl", item, 0)).toThrow(/no bpf_refcount/);
  });
});

describe("rbtree kfuncs", () => {
  it("bpf_rbtree_add runs less() in the VM; first and remove follow key order", () => {
    const { env, lock: l, root } = setup();
    lock(env, l, true);
    const keys = [50n, 30n, 70n, 20n, 40n, 35n];
    const nodes = keys.map((k) => {
      const p = call(env, K, "bpf_obj_new_impl", TNODE, 0);
      setU64(env, p, k);
      expect(call(env, K, "bpf_rbtree_add_impl", root, p + 8n, codePtr(2), 0, 0)).toBe(0n);
      return p;
    });
    const out: bigint[] = [];
    for (;;) {
      const f = BigInt.asUintN(64, call(env, K, "bpf_rbtree_first", root));
      if (f === 0n) break;
      expect(BigInt.asUintN(64, call(env, K, "bpf_rbtree_remove", root, f))).toBe(f);
      expect(call(env, K, "bpf_rbtree_remove", root, f)).toBe(0n);
      out.push(u64At(env, f - 8n));
    }
    expect(out).toEqual([20n, 30n, 35n, 40n, 50n, 70n]);
    expect(nodes).toHaveLength(6);
  });
});

describe("bpf_throw, streams, kernel context", () => {
  it("bpf_throw unwinds with a record of the cookie, read once", () => {
    const env = makeEnv();
    expect(() => call(env, K, "bpf_throw", 0x1234)).toThrow(/bpf_throw\(4660\)/);
    expect(takeThrown(env)).toBe(0x1234n);
    expect(takeThrown(env)).toBeUndefined();
  });

  it("bpf_stream_vprintk appends to stdout/stderr; bad ids and argument arrays fail", () => {
    const env = makeEnv();
    const fmt = env.mem(Uint8Array.from([..."n=%d s=%s\n"].map((c) => c.charCodeAt(0)).concat(0)));
    const s = env.mem(Uint8Array.from([104, 105, 0]));
    const args = new Uint8Array(16);
    new DataView(args.buffer).setBigUint64(0, 42n, true);
    new DataView(args.buffer).setBigUint64(8, s, true);
    const a = env.mem(args);
    expect(call(env, K, "bpf_stream_vprintk_impl", 1, fmt, a, 16, 0)).toBe(0n);
    expect(call(env, K, "bpf_stream_vprintk_impl", 2, fmt, a, 16, 0)).toBe(0n);
    expect(call(env, K, "bpf_stream_vprintk_impl", 1, fmt, a, 16, 0)).toBe(0n);
    expect(runStreams(env)).toEqual({ stdout: "n=42 s=hi\nn=42 s=hi\n", stderr: "n=42 s=hi\n" });
    expect(call(env, K, "bpf_stream_vprintk_impl", 3, fmt, a, 16, 0)).toBe(-2n);
    expect(call(env, K, "bpf_stream_vprintk_impl", 1, fmt, a, 12, 0)).toBe(-22n);
  });

  it("bpf_cast_to_kern_ctx: an xdp_buff whose fields follow the packet; stores fault", () => {
    const env = makeEnv({ frame: new Uint8Array(60) });
    const k = call(env, K, "bpf_cast_to_kern_ctx", env.ctx.region.ptr);
    // Loads go through the region's hook, as the VM's loads do.
    const at = env.vm.mem.regionOf(k)!;
    const field = (off: number, size: 4 | 8 = 8) => at.region.access!.load!(at.offset + off, size)!;
    expect(field(8) - field(0)).toBe(60n);
    expect(field(0) - field(24)).toBe(256n);
    expect(field(48, 4)).toBe(4096n);
    expect(env.packet.setBounds({ data: env.packet.data + 14 })).toBe(true);
    expect(field(8) - field(0)).toBe(46n);
    expect(() => env.vm.mem.write(k, new Uint8Array(8))).toThrow(/read-only/);
  });
});

describe("bpf_per_cpu_ptr, bpf_this_cpu_ptr on per-CPU objects", () => {
  const P = percpuPtrHelpers;

  it("give one CPU's copy; NULL past the CPU count; anything else faults naming __ksym", () => {
    const env = makeEnv({ cpus: 3 });
    attachProgramInfo(env, {
      types: TYPES,
      globalOffsets: new Map(),
      mapValueTypes: new Map(),
      exceptionCallbacks: new Map(),
    });
    const p = call(env, K, "bpf_percpu_obj_new_impl", ITEM, 0);
    const copies = [0, 1, 2].map((cpu) => call(env, P, "bpf_per_cpu_ptr", p, cpu));
    expect(new Set([p, ...copies]).size).toBe(4);
    env.cpus.current = 2;
    expect(call(env, P, "bpf_this_cpu_ptr", p)).toBe(copies[2]);
    setU64(env, copies[2]!, 77n);
    expect(u64At(env, copies[2]!)).toBe(77n);
    expect(u64At(env, copies[0]!)).toBe(0n);
    expect(call(env, P, "bpf_per_cpu_ptr", p, 3)).toBe(0n);
    // cpu is a u32: the upper half of the register is ignored, as the kernel's u32 argument.
    expect(call(env, P, "bpf_per_cpu_ptr", p, (1n << 32n) | 1n)).toBe(copies[1]);
    const plain = call(env, K, "bpf_obj_new_impl", ITEM, 0);
    expect(() => call(env, P, "bpf_this_cpu_ptr", plain)).toThrow(/__ksym/);
    expect(() => call(env, P, "bpf_per_cpu_ptr", 0x1000, 0)).toThrow(/not a live per-CPU/);
    call(env, K, "bpf_percpu_obj_drop_impl", p, 0);
    expect(() => call(env, P, "bpf_this_cpu_ptr", p)).toThrow(/not a live per-CPU/);
  });
});
