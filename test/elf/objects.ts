// The seven objects the writer must get past ip and bpftool, built from
// instruction lists (no clang), each with what a test run must give back.
// Used by writer-kernel.test.ts; kept apart so the specs read as programs.

import type { ObjectSpec } from "../../bpf/elf/index.js";
import {
  Add64,
  CallKfunc,
  CallSymbol,
  Call,
  Exit,
  Jeq,
  Jgt,
  Jne,
  LoadDataPtr,
  LoadImm64,
  LoadMapPtr,
  LoadMem,
  Mov64,
  Mul64,
  Reg,
  StoreImm,
  StoreMem,
  Sub64,
  at,
  label,
} from "../../bpf/isa/index.js";

const { R0, R1, R2, R3, R4, R5, R6, R10 } = Reg;
const MAP_LOOKUP = 1;
const MAP_UPDATE = 2;
export const XDP_ABORTED = 0;
export const XDP_DROP = 1;
export const XDP_PASS = 2;
export const BPF_OK = 0;
export const BPF_DROP = 2;
const ARRAY = 2;
const HASH = 1;

/** 1. return XDP_PASS. */
export const plainXdp: ObjectSpec = {
  license: "GPL",
  programs: [{ name: "plain", section: "xdp", insns: [Mov64.imm(R0, XDP_PASS), Exit()] }],
};

/** 2. counts[0] += 1 (array), seen[7] = 42 (hash), then XDP_PASS iff seen[7] reads back 42. */
export const mapsXdp: ObjectSpec = {
  license: "GPL",
  maps: [
    { name: "counts", type: ARRAY, maxEntries: 4, key: 4, value: 8 },
    { name: "seen", type: HASH, maxEntries: 16, key: 4, value: 8 },
  ],
  programs: [
    {
      name: "maps_prog",
      section: "xdp",
      insns: [
        StoreImm(4, R10, -4, 0),
        Mov64.reg(R2, R10),
        Add64.imm(R2, -4),
        LoadMapPtr(R1, "counts"),
        Call(MAP_LOOKUP),
        Jeq.imm(R0, 0, "skip"),
        LoadMem(8, R1, R0, 0),
        Add64.imm(R1, 1),
        StoreMem(8, R0, 0, R1),
        label("skip", StoreImm(4, R10, -8, 7)),
        StoreImm(8, R10, -16, 42),
        LoadMapPtr(R1, "seen"),
        Mov64.reg(R2, R10),
        Add64.imm(R2, -8),
        Mov64.reg(R3, R10),
        Add64.imm(R3, -16),
        Mov64.imm(R4, 0),
        Call(MAP_UPDATE),
        LoadMapPtr(R1, "seen"),
        Mov64.reg(R2, R10),
        Add64.imm(R2, -8),
        Call(MAP_LOOKUP),
        Mov64.imm(R6, XDP_DROP),
        Jeq.imm(R0, 0, "out"),
        LoadMem(8, R1, R0, 0),
        Jne.imm(R1, 42, "out"),
        Mov64.imm(R6, XDP_PASS),
        label("out", Mov64.reg(R0, R6)),
        Exit(),
      ],
    },
  ],
};

/** 3. (add3(5) -> static) then times2 (global, verified alone): (5 + 3) * 2 - 14 = XDP_PASS. */
export const callsXdp: ObjectSpec = {
  license: "GPL",
  subprograms: [
    { name: "add3", insns: [Mov64.reg(R0, R1), Add64.imm(R0, 3), Exit()] },
    {
      name: "times2",
      global: true,
      params: [{ name: "x", type: 8 }],
      insns: [Mov64.reg(R0, R1), Mul64.imm(R0, 2), Exit()],
    },
  ],
  programs: [
    {
      name: "calls_prog",
      section: "xdp",
      insns: [
        Mov64.imm(R1, 5),
        CallSymbol("add3"),
        Mov64.reg(R1, R0),
        CallSymbol("times2"),
        Sub64.imm(R0, 14),
        Exit(),
      ],
    },
  ],
};

/** 4. bpf_dynptr_from_xdp succeeds -> XDP_PASS (else ABORTED), inside an RCU read section. */
export const kfuncXdp: ObjectSpec = {
  license: "GPL",
  kfuncs: [
    { name: "bpf_rcu_read_lock", params: [] },
    { name: "bpf_rcu_read_unlock", params: [] },
    {
      name: "bpf_dynptr_from_xdp",
      ret: (b) => b.int("int", 4, 1),
      params: [
        { name: "x", type: (b) => b.ptr(b.struct("xdp_md", 0, [])) },
        { name: "flags", type: 8 },
        { name: "ptr__uninit", type: (b) => b.ptr(b.struct("bpf_dynptr", 16, [])) },
      ],
    },
  ],
  programs: [
    {
      name: "kfunc_prog",
      section: "xdp",
      insns: [
        Mov64.reg(R6, R1),
        CallKfunc("bpf_rcu_read_lock"),
        CallKfunc("bpf_rcu_read_unlock"),
        Mov64.reg(R1, R6),
        Mov64.imm(R2, 0),
        Mov64.reg(R3, R10),
        Add64.imm(R3, -16),
        CallKfunc("bpf_dynptr_from_xdp"),
        Mov64.imm(R6, XDP_ABORTED),
        Jne.imm(R0, 0, "out"),
        Mov64.imm(R6, XDP_PASS),
        label("out", Mov64.reg(R0, R6)),
        Exit(),
      ],
    },
  ],
};

const le = (n: number, bytes: number) => {
  const out = new Uint8Array(bytes);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};

/** 5. counter (.bss) += 1; dval (.data, 100) += rc (.rodata, 7). */
export const globalsXdp: ObjectSpec = {
  license: "GPL",
  globals: [
    { name: "counter", section: ".bss", type: 8 },
    { name: "dval", section: ".data", type: 8, init: le(100, 8) },
    { name: "rc", section: ".rodata", type: 4, init: le(7, 4) },
  ],
  programs: [
    {
      name: "globals_prog",
      section: "xdp",
      insns: [
        LoadDataPtr(R1, "counter"),
        LoadMem(8, R2, R1, 0),
        Add64.imm(R2, 1),
        StoreMem(8, R1, 0, R2),
        LoadDataPtr(R3, "rc"),
        LoadMem(4, R3, R3, 0),
        LoadDataPtr(R4, "dval"),
        LoadMem(8, R5, R4, 0),
        Add64.reg(R5, R3),
        StoreMem(8, R4, 0, R5),
        Mov64.imm(R0, XDP_PASS),
        Exit(),
      ],
    },
  ],
};

const pos = (line: number, column: number, text: string) => ({
  file: "lines.ts",
  line,
  column,
  text,
});

/** 6. Source positions on the instructions (one on an lddw); returns XDP_PASS. */
export const LINE_TEXTS = [
  "let x = 40;",
  "const big = 0x100000000n;",
  "x = x + 2 - 40;",
  "return XDP_PASS;",
];
export const linesXdp: ObjectSpec = {
  license: "GPL",
  programs: [
    {
      name: "lines_prog",
      section: "xdp",
      insns: [
        at(pos(10, 3, LINE_TEXTS[0]!), Mov64.imm(R1, 40)),
        at(pos(11, 3, LINE_TEXTS[1]!), LoadImm64(R2, 0x100000000n)),
        at(pos(12, 3, LINE_TEXTS[2]!), Add64.imm(R1, 2)),
        at(pos(12, 3, LINE_TEXTS[2]!), Sub64.imm(R1, 40)),
        at(pos(13, 3, LINE_TEXTS[3]!), Mov64.reg(R0, R1)),
        Exit(),
      ],
    },
  ],
};

/** 7. LWT xmit: BPF_DROP when skb->len (the IP packet) is over 20 bytes, else BPF_OK. */
export const lwtXmit: ObjectSpec = {
  license: "GPL",
  programs: [
    {
      name: "lwt_prog",
      section: "lwt_xmit",
      insns: [
        LoadMem(4, R2, R1, 0),
        Jgt.imm(R2, 20, "drop"),
        Mov64.imm(R0, BPF_OK),
        Exit(),
        label("drop", Mov64.imm(R0, BPF_DROP)),
        Exit(),
      ],
    },
  ],
};
