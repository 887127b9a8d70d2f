// Random statements: declarations, assignments, if/else, bounded loops
// (for/while/do with small constant trip counts and break/continue), packet
// views (`ctx.header<H>(off)` then `if (h)`), map lookups (`if (v)`),
// updates, deletes, atomics and early returns. Loops and views nest only a
// little so the verifier's state exploration stays far from its limits.

import { INT_TYPES, literal, signed, type IntT } from "./int-types.js";
import { cond, divisor, expr, small, unnarrowed } from "./exprs.js";
import {
  child,
  fresh,
  isArrayMap,
  type MapDecl,
  type ProgramDecls,
  type Scope,
  type StructDecl,
} from "./scope.js";
import { block, line, type Node } from "./source.js";
import { branchPoints, setLoopShape } from "./branches.js";

const XDP_ACTIONS = ["ABORTED", "DROP", "PASS", "TX"];

/** Readable places of a struct view (`h.f`, `h.bytes[i]`), all writable. */
function structPlaces(s: Scope, view: string, st: StructDecl): void {
  for (const f of st.fields) {
    if (typeof f.type === "string")
      s.places.push({ text: `${view}.${f.name}`, type: f.type, writable: true });
    else
      for (let i = 0; i < f.type.bytes; i++)
        s.places.push({ text: `${view}.${f.name}[${i}]`, type: "u8", writable: true });
  }
}

/** A struct literal of `st` whose fields take few distinct values. */
function structLiteral(d: ProgramDecls, s: Scope, st: StructDecl, mask: number): string {
  const fields = st.fields.map((f) => {
    if (typeof f.type === "string") return `${f.name}: ${small(d, s, f.type, mask)}`;
    const items = Array.from({ length: f.type.bytes }, () => small(d, s, "u8", mask));
    return `${f.name}: [${items.join(", ")}]`;
  });
  return `{ ${fields.join(", ")} }`;
}

/** The key argument of a map call, with any statement it needs first. */
function keyOf(d: ProgramDecls, s: Scope, m: MapDecl, pre: Node[]): string {
  if (typeof m.key !== "string") {
    const k = fresh(d, "k");
    pre.push(line(`const ${k}: ${m.key.name} = ${structLiteral(d, s, m.key, 3)};`));
    return k;
  }
  const mask = isArrayMap(m.cls)
    ? d.rng.chance(0.8)
      ? m.maxEntries - 1
      : m.maxEntries * 2 - 1
    : 7;
  return small(d, s, m.key, mask);
}

function valueOf(d: ProgramDecls, s: Scope, m: MapDecl, pre: Node[]): string {
  if (typeof m.value === "string") return expr(d, s, m.value, 2).text;
  const v = fresh(d, "nv");
  pre.push(line(`const ${v}: ${m.value.name} = ${structLiteral(d, s, m.value, 0xff)};`));
  return v;
}

function returnStmt(d: ProgramDecls, s: Scope): string {
  if (s.ret !== "xdp") return `return ${expr(d, s, s.ret, 2).text};`;
  if (d.rng.chance(0.6)) return `return XdpAction.${d.rng.pick(XDP_ACTIONS)};`;
  // `as u32`: a literal would give the callback a literal return type that is no XdpAction.
  return `return ${expr(d, s, "u32", 2).text} as u32;`;
}

/**
 * Iterations of nested loops multiplied stay within this. The verifier walks every iteration
 * of a bounded loop, and a branch in the body that changes a tracked value doubles the paths
 * per iteration: a 4 x 5 nest with two such branches (fuzz finding verifier-4f9e73cbe717)
 * needed 16,815 processed instructions with clang-19's object and over 1,000,000 with
 * tsbpf's until the block layout was fixed; real programs respect such a budget as well.
 */
const LOOP_ITERATIONS = 6;

/**
 * A loop's conditional points (branches.ts: its body's, called functions' included, plus
 * its own test) times its trips stay within this: the paths the verifier walks multiply
 * per iteration by the body's. A do-while of 5 trips calling two branchy functions
 * (verifier-801e58d321de, 15 points, weight 75) went past 1,000,000 processed instructions
 * with clang-19's object for the same C as well as with tsbpf's; at 3 trips it loads at
 * 89,790. A loop over budget keeps one trip. The trips drawn are cut after the body is
 * written, so the random stream (and every other program of a seed) stays the same.
 */
export const LOOP_BRANCHES = 45;

function loop(d: ProgramDecls, s: Scope, depth: number): Node[] {
  const rng = d.rng;
  const t: IntT = rng.chance(0.6) ? "u32" : rng.pick(INT_TYPES);
  const start = signed(t) && rng.chance(0.3) ? -rng.int(3) : rng.int(2);
  const outer = s.loopTrips ?? 1;
  const drawn = rng.range(1, Math.min(5, Math.floor(LOOP_ITERATIONS / outer)));
  const i = fresh(d, "i");
  const inner = child(s, { loopDepth: s.loopDepth + 1, loopTrips: outer * drawn });
  inner.places.push({ text: i, type: t, writable: false });
  const body = stmts(d, inner, depth - 1, rng.range(1, 4));
  const points = branchPoints(d, body) + 1;
  const trips = Math.max(1, Math.min(drawn, Math.floor(LOOP_BRANCHES / points)));
  const end = start + trips;
  const from = start < 0 ? `(${start})` : `${start}`;
  let node: Node;
  let pre: Node[] = [];
  switch (rng.int(3)) {
    case 0:
      node = block(`for (let ${i}: ${t} = ${from}; ${i} < ${end}; ${i}++)`, body);
      break;
    case 1:
      pre = [line(`let ${i}: ${t} = ${from};`)];
      node = block(`while (${i} < ${end})`, [line(`${i}++;`), ...body]);
      break;
    default:
      pre = [line(`let ${i}: ${t} = ${from};`)];
      node = block("do", [line(`${i}++;`), ...body], undefined, ` while (${i} < ${end});`);
  }
  setLoopShape(node, { points, trips, drawn });
  return [...pre, node];
}

/** `switch` on a few distinct case values, each case a block ending in break (or falling through). */
function switchStmt(d: ProgramDecls, s: Scope, depth: number): Node[] {
  const rng = d.rng;
  const t = rng.pick(INT_TYPES);
  const values = [
    ...new Set(Array.from({ length: rng.range(1, 4) }, () => rng.range(signed(t) ? -2 : 0, 5))),
  ];
  const cases = values.map((v, i) => {
    const body = stmts(d, child(s), depth - 1, rng.range(0, 2));
    if (i === values.length - 1 || rng.chance(0.8)) body.push(line("break;"));
    return block(`case ${v < 0 ? `(${v})` : v}:`, body);
  });
  if (rng.chance(0.5))
    cases.push(block("default:", stmts(d, child(s), depth - 1, rng.range(1, 2))));
  // Through a cast: `switch (x)` would narrow x to each case's literal type (see unnarrowed).
  return [block(`switch (${unnarrowed(expr(d, s, t, 2, true), t)})`, cases)];
}

/**
 * ctx.adjustHead/Tail/Meta: moves packet data, so only where no header view
 * is live (a view would be stale: TSB3010), i.e. in the program body outside
 * view blocks.
 */
function adjust(d: ProgramDecls, s: Scope): Node[] {
  const rng = d.rng;
  const m = rng.pick(["adjustHead", "adjustTail", "adjustMeta"]);
  const delta = rng.chance(0.7) ? literal(rng, "i8") : `(${expr(d, s, "i32", 1, true).text} % 64)`;
  const r = fresh(d, "r");
  s.places.push({ text: r, type: "i64", writable: false });
  return [line(`const ${r}: i64 = ctx.${m}(${delta});`)];
}

function headerView(d: ProgramDecls, s: Scope, depth: number): Node[] {
  const rng = d.rng;
  const h = rng.pick(d.headers);
  const off = rng.chance(0.6)
    ? `${rng.int(48)}`
    : `(${expr(d, s, "u32", 1, true).text} & ${rng.pick([7, 15, 31, 63])})`;
  const v = fresh(d, "h");
  const inner = child(s, { viewDepth: s.viewDepth + 1 });
  structPlaces(inner, v, h);
  const body = stmts(d, inner, depth - 1, rng.range(1, 5));
  const orElse = rng.chance(0.3) ? stmts(d, child(s), depth - 1, rng.range(1, 2)) : undefined;
  return [line(`const ${v} = ctx.header<${h.name}>(${off});`), block(`if (${v})`, body, orElse)];
}

function lookup(d: ProgramDecls, s: Scope, depth: number): Node[] {
  const rng = d.rng;
  const m = rng.pick(d.maps);
  const pre: Node[] = [];
  const key = keyOf(d, s, m, pre);
  const v = fresh(d, "v");
  const inner = child(s, { viewDepth: s.viewDepth + 1 });
  if (typeof m.value === "string") {
    inner.places.push({ text: `${v}.value`, type: m.value, writable: true, ref: v });
  } else structPlaces(inner, v, m.value);
  const body = stmts(d, inner, depth - 1, rng.range(1, 4));
  const orElse = rng.chance(0.4) ? stmts(d, child(s), depth - 1, rng.range(1, 2)) : undefined;
  return [...pre, line(`const ${v} = ${m.name}.lookup(${key});`), block(`if (${v})`, body, orElse)];
}

function mapChange(d: ProgramDecls, s: Scope): Node[] {
  const rng = d.rng;
  const m = rng.pick(d.maps);
  const pre: Node[] = [];
  const key = keyOf(d, s, m, pre);
  let call: string;
  if (rng.chance(0.7)) {
    const value = valueOf(d, s, m, pre);
    const flags = rng.pick(["", ", 0", ", 1", ", 2", ", BPF_ANY", ", BPF_NOEXIST", ", BPF_EXIST"]);
    call = `${m.name}.update(${key}, ${value}${flags})`;
  } else call = `${m.name}.delete(${key})`;
  if (rng.chance(0.5)) {
    const r = fresh(d, "r");
    s.places.push({ text: r, type: "i64", writable: false });
    return [...pre, line(`const ${r}: i64 = ${call};`)];
  }
  return [...pre, line(`${call};`)];
}

function assign(d: ProgramDecls, s: Scope): Node[] {
  const rng = d.rng;
  const targets = s.places.filter((p) => p.writable);
  if (!targets.length) return declare(d, s);
  const p = rng.pick(targets);
  const r = rng.int(10);
  if (r < 4) return [line(`${p.text} = ${expr(d, s, p.type, 2).text};`)];
  if (r < 5) return [line(`${p.text}${rng.pick(["++", "--"])};`)];
  if (r < 6)
    return [line(`${p.text} ${rng.pick(["<<=", ">>="])} ${rng.int(Number(p.type.slice(1)))};`)];
  if (r < 7 && p.ref && (p.type.endsWith("32") || p.type.endsWith("64"))) {
    const op = rng.pick(["atomicAdd", "atomicSub", "atomicAnd", "atomicOr", "atomicXor"]);
    return [line(`${op}(${p.ref}, ${expr(d, s, p.type, 2).text});`)];
  }
  const op = rng.pick(["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="]);
  const value = expr(d, s, p.type, 2).text;
  return [line(`${p.text} ${op} ${op === "/=" || op === "%=" ? divisor(value) : value};`)];
}

function declare(d: ProgramDecls, s: Scope): Node[] {
  const t = d.rng.pick(INT_TYPES);
  const v = fresh(d, "x");
  const text = expr(d, s, t, 2).text;
  const mutable = d.rng.chance(0.7);
  s.places.push({ text: v, type: t, writable: mutable });
  return [line(`${mutable ? "let" : "const"} ${v}: ${t} = ${text};`)];
}

function stmt(d: ProgramDecls, s: Scope, depth: number): Node[] {
  const rng = d.rng;
  const nested = depth > 0;
  const table: [number, () => Node[]][] = [
    [20, () => declare(d, s)],
    [25, () => assign(d, s)],
    [
      nested ? 10 : 0,
      () => [
        block(
          `if (${cond(d, s, 2)})`,
          stmts(d, child(s), depth - 1, rng.range(1, 3)),
          rng.chance(0.4) ? stmts(d, child(s), depth - 1, rng.range(1, 2)) : undefined,
        ),
      ],
    ],
    [nested && (s.loopTrips ?? 1) * 2 <= LOOP_ITERATIONS ? 6 : 0, () => loop(d, s, depth)],
    [nested && s.hasCtx && s.viewDepth < 2 ? 8 : 0, () => headerView(d, s, depth)],
    [nested ? 3 : 0, () => switchStmt(d, s, depth)],
    [s.ret === "xdp" && s.viewDepth === 0 ? 2 : 0, () => adjust(d, s)],
    [nested && d.maps.length && s.viewDepth < 2 ? 8 : 0, () => lookup(d, s, depth)],
    [d.maps.length ? 6 : 0, () => mapChange(d, s)],
    [3, () => [line(`if (${cond(d, s, 1)}) ${returnStmt(d, s)}`)]],
    [
      s.loopDepth > 0 ? 4 : 0,
      () => [line(`if (${cond(d, s, 1)}) ${rng.pick(["break", "continue"])};`)],
    ],
  ];
  return rng.weighted(table.filter(([w]) => w > 0))();
}

/** `count` statements in one block (declarations become visible to the later ones). */
export function stmts(d: ProgramDecls, s: Scope, depth: number, count: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < count; i++) out.push(...stmt(d, s, depth));
  return out;
}

export { returnStmt, literal };
