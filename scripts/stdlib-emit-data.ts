// Emits stdlib/generated/data/*.ts: the tables as typed TypeScript data that the compiler
// and the runtime import (helper ids and argument kinds, kfuncs, context field tables,
// sections, map types, constants, header layouts). No doc text: that lives in the .d.ts.
import type { Tables } from "./stdlib-tables.js";
import { BANNER } from "./stdlib-emit-types.js";
import { paramType, returnType } from "./stdlib-ctypes.js";

const json = (v: unknown) => JSON.stringify(v, null, 1);

export function helpersData(t: Tables): string {
  const rows = t.helpers.map((h) => ({
    id: h.id,
    name: h.name,
    progTypes: h.progTypes,
    kernelOffers: h.kernelOffers,
    gplOnly: h.gplOnly,
    prototypes: h.prototypes.map((p) => ({
      params: p.params.map((a) => ({ ...a, ts: paramType(a) })),
      ret: { ...p.ret, ts: returnType(p.ret.ctype, p.ret.nullable) },
    })),
  }));
  return `${BANNER}
/** How the compiler passes an argument; see stdlib/README.md. */
export type HelperParamKind =
  | "scalar" | "ctx" | "map" | "mapKey" | "mapValue" | "mem" | "size"
  | "string" | "callback" | "dynptr" | "kernelPtr" | "varargs";

export interface HelperParam {
  readonly name: string;
  readonly ctype: string;
  readonly kind: HelperParamKind;
  /** The stdlib type the declaration uses (width alias for scalars). */
  readonly ts: string;
  /** For mem/string: the name of the argument that carries its byte size. */
  readonly sizeArg?: string;
  /** For size: the name of the pointer argument it measures. */
  readonly sizeOf?: string;
}

export interface HelperInfo {
  readonly id: number;
  readonly name: string;
  /** Program types the seeds allow it in ("xdp", "lwt"). */
  readonly progTypes: readonly string[];
  /** Program types the reference kernel offers it to (probed): xdp, lwt_*, tc, cgroup_skb. */
  readonly kernelOffers: readonly string[];
  /** null: the probe found no program type to ask in. */
  readonly gplOnly: boolean | null;
  /** More than one for overloaded helpers (bpf_get_socket_cookie, bpf_sk_assign). */
  readonly prototypes: readonly {
    readonly params: readonly HelperParam[];
    readonly ret: { readonly ctype: string; readonly kind: string; readonly nullable: boolean; readonly ts: string };
  }[];
}

export const HELPERS: readonly HelperInfo[] = ${json(rows)};

/** Helper id by kernel name (enum bpf_func_id). */
export const HELPER_ID: Readonly<Record<string, number>> = Object.fromEntries(HELPERS.map((h) => [h.name, h.id]));
`;
}

export function kfuncsData(t: Tables): string {
  const rows = t.kfuncs.map((k) => ({
    ...k,
    params: k.params.map((a) => ({ ...a, ts: paramType(a) })),
    ret: { ...k.ret, ts: returnType(k.ret.ctype, k.ret.nullable) },
  }));
  return `${BANNER}
export type KfuncFlag = "acquire" | "release" | "retNull" | "sleepable" | "destructive" | "trustedArgs";

export interface KfuncInfo {
  readonly name: string;
  /** C prototype as the reference kernel's BTF declares it. */
  readonly prototype: string;
  readonly ret: { readonly ctype: string; readonly nullable: boolean; readonly ts: string };
  readonly params: readonly { readonly name: string; readonly ctype: string; readonly kind: string; readonly nullable: boolean; readonly ts: string }[];
  readonly flags: readonly KfuncFlag[];
  /** Program types the seeds list it for ("xdp", "lwt"). */
  readonly progTypes: readonly string[];
  /** Set for the kfuncs the reference kernel lacks, with the reason. */
  readonly absentFromKernel?: string;
}

export const KFUNCS: readonly KfuncInfo[] = ${json(rows)};
`;
}

export function contextsData(t: Tables): string {
  return `${BANNER}
export interface ContextField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** Stdlib alias of one element ("u32", "be32", "u8"), "T[n]" for arrays, "ptr" for pointers. */
  readonly type: string;
  readonly doc: string;
}

/** struct xdp_md and struct __sk_buff, field by field. */
export const CONTEXT_STRUCTS: Readonly<Record<string, { readonly size: number; readonly fields: readonly ContextField[] }>> = ${json(t.contexts.structs)};

/** Per context interface: its struct, program types and field access ("r" or "rw"; absent: no access). */
export const CONTEXTS: Readonly<Record<string, { readonly struct: string; readonly progTypes: readonly string[]; readonly access: Readonly<Record<string, "r" | "rw">> }>> = ${json(
    Object.fromEntries(
      Object.entries(t.contexts.contexts).map(([n, c]) => [
        n,
        { struct: c.struct, progTypes: c.progTypes, access: c.access },
      ]),
    ),
  )};
`;
}

export function sectionsData(t: Tables): string {
  return `${BANNER}
export interface SectionInfo {
  readonly section: string;
  readonly progType: string;
  readonly progTypeId: number;
  readonly expectedAttachType: string | null;
  readonly expectedAttachTypeId: number | null;
  readonly progFlags: readonly string[];
  /** The context interface the program function receives. */
  readonly context: string;
  /** The stdlib declarator and the options that select this section. */
  readonly declarator: string;
  readonly options: Readonly<Record<string, string | boolean>>;
  readonly returns: string;
}

export const SECTIONS: readonly SectionInfo[] = ${json(t.sections)};

export interface MapTypeInfo {
  readonly className: string;
  readonly mapType: string;
  readonly mapTypeId: number;
  readonly shape: string;
  readonly doc: string;
}

export const MAP_TYPES: readonly MapTypeInfo[] = ${json(t.maps)};
`;
}

const WIDTH: Record<string, number> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  be16: 2,
  u32: 4,
  i32: 4,
  be32: 4,
  u64: 8,
  i64: 8,
  be64: 8,
};

export function constantsData(t: Tables): string {
  const consts = Object.fromEntries(
    t.constants.groups.flatMap((g) =>
      g.values.map((v) => [
        g.enum ? `${g.group}.${v.name}` : v.name,
        { value: v.value, group: g.group, type: g.type },
      ]),
    ),
  );
  const headers = Object.fromEntries(
    t.headers.headers.map((h) => {
      let off = 0;
      const fields = h.fields.map((f) => {
        const bytes = /^Bytes<(\d+)>$/.exec(f.type);
        const size = bytes ? Number(bytes[1]) : WIDTH[f.type]!;
        const field = { name: f.name, type: f.type, offset: off, size };
        off += size;
        return field;
      });
      return [h.name, { size: off, fields }];
    }),
  );
  return `${BANNER}
/** Every exported constant: plain names, and \`Enum.MEMBER\` for const enums. */
export const CONSTANTS: Readonly<Record<string, { readonly value: number; readonly group: string; readonly type: string }>> = ${json(consts)};

/** Layout of the stdlib protocol headers (packed in declaration order; none needs padding). */
export const HEADERS: Readonly<Record<string, { readonly size: number; readonly fields: readonly { readonly name: string; readonly type: string; readonly offset: number; readonly size: number }[] }>> = ${json(headers)};
`;
}
