// Random well-typed tsbpf sources for the differential campaign: each
// source holds a few XDP programs, each with its own header interfaces,
// map declarations (hash, array, per-CPU array, per-CPU hash; integer or
// struct keys and values), local functions (BPF-to-BPF calls, up to five
// parameters, optionally the context) and a body of random statements
// (stmts.ts). Everything is valid by construction: a compiler rejection of
// a generated source is a finding (generator bug or compiler bug).

import type { Rng } from "../rng.js";
import { INT_TYPES, type IntT } from "./int-types.js";
import { expr } from "./exprs.js";
import { returnStmt, stmts } from "./stmts.js";
import { branchPoints } from "./branches.js";
import {
  child,
  isArrayMap,
  fresh,
  type FieldType,
  type FnDecl,
  type MapClass,
  type MapDecl,
  type ProgramDecls,
  type Scope,
  type StructDecl,
} from "./scope.js";
import { block, line, type GenSource, type Node } from "./source.js";

export const IMPORTS = [
  "xdp",
  "XdpAction",
  "HashMap",
  "ArrayMap",
  "PerCpuArray",
  "PerCpuHash",
  "atomicAdd",
  "atomicSub",
  "atomicAnd",
  "atomicOr",
  "atomicXor",
  "bpf_get_smp_processor_id",
  "bpf_xdp_get_buff_len",
  "BPF_ANY",
  "BPF_NOEXIST",
  "BPF_EXIST",
  "type XdpContext",
];

/**
 * XDP programs per source by default. A compile has a fixed cost per source
 * (about 50 ms of CPU: the TypeScript program, the stdlib's types) beside
 * about 45 ms per program, and one `bpftool prog loadall` loads the object:
 * 24 programs pay these once where 12 paid them twice.
 */
export const PROGRAMS_PER_SOURCE = 24;

export interface ProgramGenOptions {
  /** XDP programs per source (each compiled, loaded and compared on its own packets). */
  programsPerSource?: number;
  /** Statements in a program body (before its final return). */
  bodyStatements?: [number, number];
}

function structDecl(d: ProgramDecls, stem: string, maxFields: number): StructDecl {
  const n = d.rng.range(1, maxFields);
  const fields = Array.from({ length: n }, (_, i) => ({
    name: `f${i}`,
    type: (d.rng.chance(0.2) ? { bytes: d.rng.range(1, 6) } : d.rng.pick(INT_TYPES)) as FieldType,
  }));
  return { name: fresh(d, `${d.prefix}_${stem}`), fields };
}

function renderStruct(st: StructDecl): Node {
  const fields = st.fields.map((f) =>
    line(`${f.name}: ${typeof f.type === "string" ? f.type : `Bytes<${f.type.bytes}>`};`),
  );
  return block(`interface ${st.name}`, fields);
}

function mapDecl(d: ProgramDecls): MapDecl {
  const rng = d.rng;
  const cls = rng.pick<MapClass>(["HashMap", "ArrayMap", "PerCpuArray", "PerCpuHash"]);
  const isArray = isArrayMap(cls);
  const value: IntT | StructDecl = rng.chance(0.5)
    ? rng.pick(INT_TYPES)
    : d.structs[d.structs.push(structDecl(d, "V", 4)) - 1]!;
  let key: IntT | StructDecl = "u32";
  if (!isArray) {
    key = rng.chance(0.7)
      ? rng.pick(INT_TYPES)
      : d.structs[d.structs.push(structDecl(d, "K", 3)) - 1]!;
  }
  return { name: fresh(d, `${d.prefix}_m`), cls, key, value, maxEntries: rng.pick([1, 2, 4, 8]) };
}

function renderMap(m: MapDecl): Node {
  const name = (t: IntT | StructDecl) => (typeof t === "string" ? t : t.name);
  const types = isArrayMap(m.cls) ? name(m.value) : `${name(m.key)}, ${name(m.value)}`;
  return line(`const ${m.name} = new ${m.cls}<${types}>({ maxEntries: ${m.maxEntries} });`);
}

function fnDecl(d: ProgramDecls): Node {
  const rng = d.rng;
  const params: (IntT | "ctx")[] = Array.from({ length: rng.range(1, 5) }, () =>
    rng.chance(0.15) ? "ctx" : rng.pick(INT_TYPES),
  );
  // At most one context parameter.
  const first = params.indexOf("ctx");
  params.forEach((p, i) => {
    if (p === "ctx" && i !== first) params[i] = "u32";
  });
  const ret = rng.pick(INT_TYPES);
  const name = fresh(d, `${d.prefix}_fn`);
  const s: Scope = { places: [], hasCtx: params.includes("ctx"), ret, loopDepth: 0, viewDepth: 0 };
  const texts = params.map((p, i) => {
    if (p === "ctx") return "ctx: XdpContext";
    s.places.push({ text: `a${i}`, type: p, writable: true });
    return `a${i}: ${p}`;
  });
  if (s.places.length === 0) {
    // Keep a readable place: expressions fall back to casting one.
    params.push("u32");
    s.places.push({ text: `a${texts.length}`, type: "u32", writable: true });
    texts.push(`a${texts.length}: u32`);
  }
  const body = stmts(d, child(s), 2, rng.range(1, 4));
  body.push(line(`return ${expr(d, s, ret, 2).text};`));
  const decl = block(`function ${name}(${texts.join(", ")}): ${ret}`, body);
  d.fns.push({ name, params, ret, branches: branchPoints(d, body) } satisfies FnDecl);
  return decl;
}

/**
 * The program's first statements: variables loaded from the packet's first
 * bytes (through a header view, zero when the packet is too short), so that
 * values, branches and map keys depend on the packet.
 */
function packetValues(d: ProgramDecls, s: Scope): Node[] {
  const h = structDecl(d, "P", 5);
  d.headers.push(h);
  const decls: Node[] = [];
  const loads: Node[] = [];
  const view = fresh(d, "pkt");
  for (const f of h.fields) {
    const v = fresh(d, "x");
    const t: IntT = typeof f.type === "string" ? f.type : "u8";
    decls.push(line(`let ${v}: ${t} = 0;`));
    loads.push(line(`${v} = ${view}.${f.name}${typeof f.type === "string" ? "" : "[0]"};`));
    s.places.push({ text: v, type: t, writable: true });
  }
  return [
    ...decls,
    line(`const ${view} = ctx.header<${h.name}>(${d.rng.int(4)});`),
    block(`if (${view})`, loads),
  ];
}

/** One XDP program and everything it declares, as top-level items. */
export function generateProgram(rng: Rng, name: string, opts: ProgramGenOptions = {}): Node[] {
  const d: ProgramDecls = {
    prefix: name,
    rng,
    headers: [],
    structs: [],
    maps: [],
    fns: [],
    next: 0,
  };
  for (let i = rng.range(1, 3); i > 0; i--) d.headers.push(structDecl(d, "H", 5));
  for (let i = rng.int(4); i > 0; i--) d.maps.push(mapDecl(d));
  const fns: Node[] = [];
  for (let i = rng.chance(0.5) ? rng.range(1, 2) : 0; i > 0; i--) fns.push(fnDecl(d));
  const s: Scope = { places: [], hasCtx: true, ret: "xdp", loopDepth: 0, viewDepth: 0 };
  const [lo, hi] = opts.bodyStatements ?? [1, 5];
  const body = [...packetValues(d, s), ...stmts(d, s, 3, rng.range(lo, hi))];
  body.push(line(returnStmt(d, s)));
  return [
    ...d.headers.map(renderStruct),
    ...d.structs.map(renderStruct),
    ...d.maps.map(renderMap),
    ...fns,
    block(`export const ${name} = xdp((ctx) =>`, body, undefined, ");"),
  ];
}

export function generateSource(rng: Rng, tag: string, opts: ProgramGenOptions = {}): GenSource {
  const units = Array.from({ length: opts.programsPerSource ?? PROGRAMS_PER_SOURCE }, (_, i) => {
    const name = `${tag}p${i}`;
    return { name, items: generateProgram(rng, name, opts) };
  });
  return { imports: IMPORTS, units };
}
