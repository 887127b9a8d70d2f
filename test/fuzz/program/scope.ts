// What generated code can see at a point of a program: variables, values
// reachable through live views (header fields, map values), the function
// being written, and the declarations of the program (structs, maps,
// functions). Blocks copy their parent's scope, so a name declared inside a
// block is gone after it, as in TypeScript.

import type { Rng } from "../rng.js";
import type { IntT } from "./int-types.js";

export type FieldType = IntT | { bytes: number };

export interface StructDecl {
  name: string;
  fields: { name: string; type: FieldType }[];
}

export type MapClass = "HashMap" | "ArrayMap" | "PerCpuArray" | "PerCpuHash";

export const isArrayMap = (cls: MapClass): boolean => cls === "ArrayMap" || cls === "PerCpuArray";

export interface MapDecl {
  name: string;
  cls: MapClass;
  /** Key type (u32 for arrays). */
  key: IntT | StructDecl;
  value: IntT | StructDecl;
  maxEntries: number;
}

export interface FnDecl {
  name: string;
  /** "ctx": the XDP context, passed as `ctx`. */
  params: (IntT | "ctx")[];
  ret: IntT;
  /** Conditional points of its body (branches.ts): a call weighs this much in a loop's budget. */
  branches: number;
}

/** A readable integer place: a variable, a header field, a map value (field). */
export interface Place {
  text: string;
  type: IntT;
  writable: boolean;
  /** A map value of integer type: `ref` names the Ref that atomics take. */
  ref?: string;
}

export interface Scope {
  places: Place[];
  /** `ctx` is in scope (the program, or a function with a context parameter). */
  hasCtx: boolean;
  /** Return type of the function being written; "xdp" for the program itself. */
  ret: IntT | "xdp";
  loopDepth: number;
  /** Iterations of the enclosing loops multiplied (undefined: 1); see LOOP_ITERATIONS. */
  loopTrips?: number;
  /** Header/lookup blocks nested around this point (kept small for the verifier). */
  viewDepth: number;
}

/** Everything generated so far for one program (names are prefixed with the program's). */
export interface ProgramDecls {
  prefix: string;
  rng: Rng;
  headers: StructDecl[];
  structs: StructDecl[];
  maps: MapDecl[];
  fns: FnDecl[];
  next: number;
}

export function fresh(d: ProgramDecls, stem: string): string {
  return `${stem}${d.next++}`;
}

export function child(s: Scope, patch: Partial<Scope> = {}): Scope {
  return { ...s, places: [...s.places], ...patch };
}
