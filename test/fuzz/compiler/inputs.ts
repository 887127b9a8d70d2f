// Inputs for compiler fuzzing: token-level mutations of the valid fixture
// programs (delete, duplicate, swap, replace, insert), token soup drawn from
// their vocabulary, and pathological shapes (10k statements, expressions
// and blocks nested 1000+ deep) that probe recursion depth and run time.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Rng } from "../rng.js";

export const PROGRAMS_DIR = join(import.meta.dirname, "../../fixtures/compiler/programs");

const TOKEN =
  /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|0x[0-9a-fA-F_]+n?|\d[\d_]*(?:\.\d+)?n?|[A-Za-z_$][\w$]*|===|!==|\*\*=|>>>=|<<=|>>=|>>>|=>|\?\?=|\?\?|\?\.|&&=|\|\|=|[-+*/%&|^<>!=]=|\+\+|--|<<|>>|&&|\|\||[^\s]/g;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export interface Seeds {
  programs: { name: string; text: string }[];
  /** Every distinct non-space token of the programs. */
  vocabulary: string[];
}

export function loadSeeds(dir = PROGRAMS_DIR): Seeds {
  const programs = readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), "utf8") }));
  const vocab = new Set<string>();
  for (const p of programs) for (const t of tokenize(p.text)) if (t.trim()) vocab.add(t);
  return { programs, vocabulary: [...vocab].sort() };
}

/** 1-4 token edits on one seed program; whitespace tokens are left alone mostly. */
export function mutateTokens(rng: Rng, text: string, vocabulary: readonly string[]): string {
  const toks = tokenize(text);
  const solid = () => {
    for (let tries = 0; tries < 20; tries++) {
      const i = rng.int(toks.length);
      if (toks[i]!.trim()) return i;
    }
    return rng.int(toks.length);
  };
  for (let n = rng.range(1, 4); n > 0 && toks.length; n--) {
    const i = solid();
    switch (rng.int(5)) {
      case 0:
        toks.splice(i, rng.range(1, 3));
        break;
      case 1:
        toks.splice(i, 0, ...toks.slice(i, i + rng.range(1, 6)));
        break;
      case 2: {
        const j = solid();
        [toks[i], toks[j]] = [toks[j]!, toks[i]!];
        break;
      }
      case 3:
        toks[i] = rng.pick(vocabulary);
        break;
      default:
        toks.splice(i, 0, " ", rng.pick(vocabulary), " ");
    }
  }
  return toks.join("");
}

/** Up to 300 random tokens, sometimes behind a valid import line. */
export function tokenSoup(rng: Rng, vocabulary: readonly string[]): string {
  const out: string[] = [];
  if (rng.chance(0.5)) out.push('import { xdp, XdpAction } from "tsbpf";\n');
  for (let n = rng.range(1, 300); n > 0; n--)
    out.push(rng.pick(vocabulary), rng.chance(0.1) ? "\n" : " ");
  return out.join("");
}

const HEADER = 'import { xdp, XdpAction } from "tsbpf";\n';

/** The pathological shapes; `scale` multiplies sizes (1 = 10k statements, depth ~1000). */
export function hugeInputs(scale = 1): { name: string; text: string }[] {
  const depth = Math.round(1000 * scale);
  const stmts = Math.round(10_000 * scale);
  return [
    {
      name: `statements-${stmts}`,
      text: `${HEADER}function f(): u32 {\n  let x: u32 = 0;\n${"  x = x + 1;\n".repeat(stmts)}  return x;\n}\nexport const prog = xdp((ctx) => (f() === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `parens-${depth}`,
      text: `${HEADER}export const prog = xdp((ctx) => ${"(".repeat(depth)}XdpAction.PASS${")".repeat(depth)});\n`,
    },
    {
      name: `sum-${depth}`,
      text: `${HEADER}function f(): u32 {\n  return ${"1 + (".repeat(depth)}1${")".repeat(depth)};\n}\nexport const prog = xdp((ctx) => (f() === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `flat-sum-${stmts}`,
      text: `${HEADER}function f(): u32 {\n  return ${"1 + ".repeat(stmts)}1;\n}\nexport const prog = xdp((ctx) => (f() === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `blocks-${depth}`,
      text: `${HEADER}function f(): u32 {\n  let x: u32 = 0;\n${"{".repeat(depth)} x = x + 1; ${"}".repeat(depth)}\n  return x;\n}\nexport const prog = xdp((ctx) => (f() === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `ifs-${depth}`,
      text: `${HEADER}function f(a: u32): u32 {\n${"if (a > 1) {\n".repeat(depth)}return 1;\n${"}\n".repeat(depth)}  return 0;\n}\nexport const prog = xdp((ctx) => (f(2) === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `ternary-${depth}`,
      text: `${HEADER}function f(a: u32): u32 {\n  return ${"a > 1 ? 1 : (".repeat(depth)}0${")".repeat(depth)};\n}\nexport const prog = xdp((ctx) => (f(2) === 0 ? XdpAction.PASS : XdpAction.DROP));\n`,
    },
    {
      name: `unclosed-${depth}`,
      text: `${HEADER}export const prog = xdp((ctx) => ${"[{(".repeat(depth)}`,
    },
  ];
}
