// Module-level state of a tsbpf file: map declarations
// (`const m = new HashMap<K, V>({ maxEntries: 64 })`) and global variables
// (`let hits: u64 = 0` -> `.bss`/`.data`), collected once before the
// functions are lowered so every function sees the same symbols. The kfuncs
// and callbacks lowering meets are recorded here too, for the emit stage.

import {
  type Expression,
  type NewExpression,
  Node,
  type SourceFile,
  type TypeNode,
  type VariableDeclaration,
} from "../frontend/ts-morph.js";
import { MAP_TYPES } from "../../stdlib/generated/data/sections.js";
import type { DiagnosticBag } from "../diagnostics/diagnostic.js";
import { interfaceOfNode, intTypeOfNode, structLayout } from "../types/annotations.js";
import { type IntType, U32, U64 } from "../types/int-type.js";
import { layoutWithKernelObjects, type ValueType } from "../types/structs.js";
import { declarationOf, Lowering, type ModuleInfo } from "./lower-context.js";
import { lowerExpr } from "./lower-expr.js";

export interface MapDecl {
  name: string;
  className: string;
  typeId: number;
  key?: ValueType;
  value?: ValueType;
  maxEntries: number;
  flags: number;
  pinning: number;
  /** Map-in-map: the template map. */
  inner?: MapDecl;
}

export interface GlobalDecl {
  name: string;
  section: ".bss" | ".data" | ".rodata";
  type: ValueType;
  init: bigint;
}

export interface ModuleData {
  maps: Map<Node, MapDecl>;
  globals: Map<Node, GlobalDecl>;
  /** kfuncs called, by name. */
  kfuncs: Set<string>;
}

const U32_TYPE: ValueType = { kind: "int", type: U32 };
/**
 * struct bpf_cpumap_val { u32 qsize; union { int fd; u32 id; } bpf_prog; }: 8 bytes, so
 * user space can give a CPU entry a second-stage program (xdp({ attach: "cpumap" })); with
 * a 4-byte value (qsize alone) the kernel has no room for the program's fd.
 * Only the size reaches the ELF (CpuMap values are size-only, see emit/maps.ts).
 */
const CPUMAP_VAL: ValueType = { kind: "int", type: U64 };

/** Key and value shapes of each map class, from its type arguments. */
const SHAPES: Record<string, (args: (ValueType | undefined)[]) => [ValueType?, ValueType?]> = {
  HashMap: (a) => [a[0], a[1]],
  PerCpuHash: (a) => [a[0], a[1]],
  LruHash: (a) => [a[0], a[1]],
  LruPerCpuHash: (a) => [a[0], a[1]],
  LpmTrie: (a) => [a[0], a[1]],
  ArrayMap: (a) => [U32_TYPE, a[0]],
  PerCpuArray: (a) => [U32_TYPE, a[0]],
  ProgArray: () => [U32_TYPE, U32_TYPE],
  PerfEventArray: () => [U32_TYPE, U32_TYPE],
  DevMap: () => [U32_TYPE, U32_TYPE],
  DevMapHash: () => [U32_TYPE, U32_TYPE],
  CpuMap: () => [U32_TYPE, CPUMAP_VAL],
  XskMap: () => [U32_TYPE, U32_TYPE],
  Queue: (a) => [undefined, a[0]],
  Stack: (a) => [undefined, a[0]],
  BloomFilter: (a) => [undefined, a[0]],
  RingBuf: () => [],
  ArrayOfMaps: () => [U32_TYPE],
  HashOfMaps: (a) => [a[0]],
};

/** An int or struct type from an annotation or type argument. */
export function valueTypeOf(node: TypeNode | undefined): ValueType | string | undefined {
  const t: IntType | undefined = intTypeOfNode(node);
  if (t) return { kind: "int", type: t };
  const iface = interfaceOfNode(node);
  if (!iface) return undefined;
  const layout = structLayout(iface);
  if (typeof layout !== "string") return { kind: "struct", layout };
  const withLock = layoutWithKernelObjects(iface);
  return withLock ? { kind: "struct", layout: withLock } : `${iface.getName()}.${layout}`;
}

export function collectModuleData(
  files: SourceFile[],
  info: ModuleInfo,
  diags: DiagnosticBag,
): ModuleData {
  const data: ModuleData = { maps: new Map(), globals: new Map(), kfuncs: new Set() };
  info.data = data;
  const L = new Lowering("<module>", undefined, info, diags);
  for (const sf of files)
    for (const st of sf.getStatements()) {
      if (!Node.isVariableStatement(st)) continue;
      const kind = st.getDeclarationKind();
      for (const d of st.getDeclarations()) {
        const init = d.getInitializer();
        if (kind === "const" && init && Node.isNewExpression(init)) mapDecl(L, d, init, data);
        else if (kind === "let") globalDecl(L, d, data);
        else if (init && Node.isCallExpression(init) && isConfigCall(init))
          globalDecl(L, d, data, init.getArguments()[0] as Expression | undefined);
      }
    }
  return data;
}

function mapDecl(L: Lowering, d: VariableDeclaration, init: NewExpression, data: ModuleData) {
  const className = init.getExpression().getText();
  const info = MAP_TYPES.find((m) => m.className === className);
  const shape = SHAPES[className];
  if (!info || !shape) {
    L.report("TSB5001", init.getExpression(), [className]);
    return;
  }
  const args: (ValueType | undefined)[] = [];
  for (const t of init.getTypeArguments() ?? []) {
    const vt = valueTypeOf(t);
    if (typeof vt === "string" || (!vt && !className.endsWith("OfMaps"))) {
      L.report("TSB5002", t, [t.getText()]);
      return;
    }
    // The kernel refuses a map whose key or value is 0 bytes (EINVAL). The
    // map is still declared, so its uses report nothing more.
    if (vt?.kind === "struct" && vt.layout.size === 0) L.report("TSB5011", t, [t.getText()]);
    args.push(vt);
  }
  const [key, value] = shape(args);
  const m: MapDecl = {
    name: d.getName(),
    className,
    typeId: info.mapTypeId,
    maxEntries: 0,
    flags: 0,
    pinning: 0,
    ...(key ? { key } : {}),
    ...(value ? { value } : {}),
  };
  const opts = init.getArguments()[0];
  if (opts && !Node.isObjectLiteralExpression(opts)) {
    L.report("TSB5003", opts, [opts.getText()]);
    return;
  }
  for (const p of opts?.getProperties() ?? []) {
    const value = Node.isPropertyAssignment(p) ? p.getInitializer() : undefined;
    const name = Node.isPropertyAssignment(p) ? p.getName() : p.getText();
    if (!value) {
      L.report("TSB5003", p, [p.getText()]);
      continue;
    }
    if (name === "pinning") {
      if (Node.isStringLiteral(value) && value.getLiteralValue() === "byName") m.pinning = 1;
      else L.report("TSB5003", p, [p.getText()]);
    } else if (name === "innerMap") {
      const inner = Node.isIdentifier(value) ? mapOfIdentifier(value, data) : undefined;
      if (inner) m.inner = inner;
      else L.report("TSB5003", p, [p.getText()]);
    } else if (name === "maxEntries" || name === "flags") {
      const n = constant(L, value);
      if (n === undefined) L.report("TSB5003", p, [p.getText()]);
      else if (name === "maxEntries") m.maxEntries = n;
      else m.flags = n;
    } else L.report("TSB5003", p, [p.getText()]);
  }
  data.maps.set(d, m);
}

function constant(L: Lowering, e: Expression): number | undefined {
  const v = lowerExpr(L, e);
  return v.kind === "int" && v.op.kind === "imm"
    ? Number(BigInt.asUintN(32, v.op.value))
    : undefined;
}

/** The map an identifier names, if it is a module-level map. */
export function mapOfIdentifier(node: Node, data: ModuleData | undefined): MapDecl | undefined {
  // declarationOf (cached) may fall back to a non-value declaration; no map is keyed by one.
  const decl = declarationOf(node);
  return decl ? data?.maps.get(decl) : undefined;
}

/** `config(value)` from the stdlib: a `.rodata` constant. */
function isConfigCall(call: import("ts-morph").CallExpression): boolean {
  const callee = call.getExpression();
  if (!Node.isIdentifier(callee) || callee.getText() !== "config") return false;
  let sym = callee.getSymbol();
  if (sym?.isAlias()) sym = sym.getAliasedSymbol();
  return !!sym?.getDeclarations().some((x) => x.getSourceFile().isDeclarationFile());
}

function globalDecl(L: Lowering, d: VariableDeclaration, data: ModuleData, rodata?: Expression) {
  const vt = valueTypeOf(d.getTypeNode());
  if (!vt || typeof vt === "string" || (rodata && vt.kind !== "int")) {
    L.report("TSB5004", d.getTypeNode() ?? d.getNameNode(), [d.getName()]);
    return;
  }
  const init = rodata ?? d.getInitializer();
  let value = 0n;
  if (init) {
    const v = vt.kind === "int" ? lowerExpr(L, init) : undefined;
    if (!v || v.kind !== "int" || v.op.kind !== "imm") {
      L.report("TSB5005", init, [init.getText()]);
      return;
    }
    value = v.op.value;
  }
  data.globals.set(d, {
    name: d.getName(),
    section: rodata ? ".rodata" : value === 0n ? ".bss" : ".data",
    type: vt,
    init: value,
  });
}
