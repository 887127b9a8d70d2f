// Random integer expressions and conditions that type-check by
// construction. Every expression carries its kind: "exact" (its type is the
// wanted type), "narrow" (a narrower place that widens implicitly) or "lit"
// (a literal, which adopts the other operand's type). Operators get at
// least one exact operand, so a literal never meets a literal (constant
// folding would make `(-5) * (-2147483648)` a literal that must fit) and two
// narrow places of mixed signedness never meet (TSB2002).

import { INT_TYPES, bits, literal, shiftCount, signed, widensTo, type IntT } from "./int-types.js";
import type { ProgramDecls, Scope } from "./scope.js";

export interface Expr {
  text: string;
  kind: "exact" | "narrow" | "lit";
}

const ARITH = ["+", "-", "*", "/", "%", "&", "|", "^"] as const;
const CMP = ["<", "<=", ">", ">=", "===", "!=="] as const;

function places(d: ProgramDecls, s: Scope, t: IntT, exact: boolean): Expr[] {
  const out: Expr[] = [];
  for (const p of s.places) {
    if (p.type === t) out.push({ text: p.text, kind: "exact" });
    else if (!exact && widensTo(p.type, t)) out.push({ text: p.text, kind: "narrow" });
  }
  // Context fields are constants under test_run: offered only now and then.
  if (s.hasCtx && (out.length === 0 || d.rng.chance(0.2))) {
    for (const f of ["ctx.rx_queue_index", "ctx.ingress_ifindex"]) {
      if (t === "u32") out.push({ text: f, kind: "exact" });
      else if (!exact && widensTo("u32", t)) out.push({ text: f, kind: "narrow" });
    }
  }
  return out;
}

/** Any readable place, cast to `t`: the fallback that always gives an exact expression. */
function castPlace(d: ProgramDecls, s: Scope, t: IntT): Expr {
  const all = s.places.map((p) => p.text);
  if (s.hasCtx && (all.length === 0 || d.rng.chance(0.2))) {
    all.push("ctx.rx_queue_index", "ctx.ingress_ifindex");
  }
  if (all.length === 0) throw new Error("generator: a scope without any readable place");
  return { text: `(${d.rng.pick(all)} as ${t})`, kind: "exact" };
}

function leaf(d: ProgramDecls, s: Scope, t: IntT, exact: boolean): Expr {
  const rng = d.rng;
  const options = places(d, s, t, exact);
  if (!exact && rng.chance(0.3)) return { text: literal(rng, t), kind: "lit" };
  if (options.length && rng.chance(0.85)) return rng.pick(options);
  if (s.hasCtx && rng.chance(0.2)) {
    const call = rng.chance(0.5)
      ? { text: "bpf_xdp_get_buff_len(ctx)", type: "u64" as IntT }
      : { text: "bpf_get_smp_processor_id()", type: "u32" as IntT };
    if (call.type === t) return { text: call.text, kind: "exact" };
    if (!exact && widensTo(call.type, t)) return { text: call.text, kind: "narrow" };
    return { text: `(${call.text} as ${t})`, kind: "exact" };
  }
  return castPlace(d, s, t);
}

/** A call of an earlier function returning `t` (or narrower), or undefined. */
function call(d: ProgramDecls, s: Scope, t: IntT, depth: number, exact: boolean): Expr | undefined {
  const fns = d.fns.filter(
    (f) =>
      (f.ret === t || (!exact && widensTo(f.ret, t))) && (s.hasCtx || !f.params.includes("ctx")),
  );
  if (!fns.length) return undefined;
  const f = d.rng.pick(fns);
  const args = f.params.map((p) => (p === "ctx" ? "ctx" : expr(d, s, p, depth - 1).text));
  return { text: `${f.name}(${args.join(", ")})`, kind: f.ret === t ? "exact" : "narrow" };
}

/** Division by a constant zero is refused (TSB2007): divide by one instead. */
export function divisor(text: string): string {
  return /^(0x)?0$/.test(text) ? "1" : text;
}

/** An expression of type `t` (exact: never a literal or a narrower place). */
export function expr(d: ProgramDecls, s: Scope, t: IntT, depth: number, exact = false): Expr {
  const rng = d.rng;
  if (depth <= 0 || rng.chance(0.3)) return leaf(d, s, t, exact);
  const sub = () => depth - 1 - (rng.chance(0.5) ? 1 : 0);
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const l = expr(d, s, t, sub());
      const r = expr(d, s, t, sub(), l.kind !== "exact");
      const op = rng.pick(ARITH);
      // Division by a constant zero is refused (TSB2007): divide by one instead.
      const rt = op === "/" || op === "%" ? divisor(r.text) : r.text;
      return { text: `(${l.text} ${op} ${rt})`, kind: "exact" };
    }
    case 4: {
      const v = expr(d, s, t, sub(), true);
      if (rng.chance(0.6)) {
        return {
          text: `(${v.text} ${rng.pick(["<<", ">>"])} ${shiftCount(rng, t)})`,
          kind: "exact",
        };
      }
      const by = expr(d, s, rng.pick(INT_TYPES), 0, true);
      return {
        text: `(${v.text} ${rng.pick(["<<", ">>"])} (${by.text} & ${bits(t) - 1}))`,
        kind: "exact",
      };
    }
    case 5: {
      const v = expr(d, s, t, sub(), true);
      return { text: `(${rng.pick(["-", "~"])}${v.text})`, kind: "exact" };
    }
    case 6: {
      const from = rng.pick(INT_TYPES);
      return { text: `(${expr(d, s, from, sub(), true).text} as ${t})`, kind: "exact" };
    }
    case 7: {
      const a = expr(d, s, t, sub());
      const b = expr(d, s, t, sub(), a.kind !== "exact");
      return { text: `(${cond(d, s, sub())} ? ${a.text} : ${b.text})`, kind: "exact" };
    }
    case 8: {
      // A comparison as a value. Cast: `c ? 1 : 0` alone has TypeScript type 1 | 0, and
      // comparing that with another literal is refused (TS2367).
      return { text: `((${cond(d, s, sub())} ? 1 : 0) as ${t})`, kind: "exact" };
    }
    default:
      return call(d, s, t, depth, exact) ?? expr(d, s, t, depth - 1, exact);
  }
}

/** An operand of an equality as TypeScript sees it: a place cast so that it is not narrowed. */
export function unnarrowed(e: Expr, t: IntT): string {
  return e.kind === "lit" ? e.text : `(${e.text} as ${t})`;
}

/** A condition: comparisons at a random type, joined with && || !. */
export function cond(d: ProgramDecls, s: Scope, depth: number): string {
  const rng = d.rng;
  const r = rng.int(10);
  if (depth > 0 && r < 2) {
    return `(${cond(d, s, depth - 1)} ${rng.pick(["&&", "||"])} ${cond(d, s, depth - 1)})`;
  }
  if (depth > 0 && r < 3) return `!${cond(d, s, depth - 1)}`;
  const t = rng.pick(INT_TYPES);
  if (r < 4) return expr(d, s, t, Math.min(depth, 1), true).text; // integer truthiness
  const l = expr(d, s, t, Math.min(depth, 2));
  const rgt = expr(d, s, t, Math.min(depth, 2), l.kind !== "exact");
  // No bare `<`: `a < (b) > (c)` parses as a call with type arguments.
  const op = rng.pick(CMP);
  if (op === "<") return `(${rgt.text} > ${l.text})`;
  if (op === "===" || op === "!==") {
    // `x === 3` would narrow x to the type 3 in its branch, and a later `x === 0` there is
    // refused (TS2367); compared through a cast, the place is never narrowed.
    return `(${unnarrowed(l, t)} ${op} ${unnarrowed(rgt, t)})`;
  }
  return `(${l.text} ${op} ${rgt.text})`;
}

/** A value of `t` limited to a few distinct values, for map keys and indexes. */
export function small(d: ProgramDecls, s: Scope, t: IntT, mask: number): string {
  if (d.rng.chance(0.2)) return literal(d.rng, t).replace(/^\(-.*\)$/, "1");
  const v = expr(d, s, t, 1, true).text;
  if (signed(t)) mask = Math.min(mask, 2 ** (bits(t) - 1) - 1);
  const modOk = signed(t) && mask < 127 && d.rng.chance(0.3);
  return modOk ? `(${v} % ${mask + 1})` : `(${v} & ${mask})`;
}
