// Kernel facts the compiler checks against, as a thin adapter over the
// stdlib's generated tables (stdlib/generated/data): helper ids and the
// program types the kernel offers them to, context structs with their
// per-interface read/write access, and the sections each declarator and
// option set selects. The rest of the compiler sees only this interface.

import { CONTEXT_STRUCTS, CONTEXTS } from "../../stdlib/generated/data/contexts.js";
import { HELPERS as HELPER_TABLE } from "../../stdlib/generated/data/helpers.js";
import { SECTIONS, type SectionInfo } from "../../stdlib/generated/data/sections.js";

/** Program kinds as the helper table names them (kernelOffers). */
export type ProgramKind =
  "xdp" | "lwt_xmit" | "lwt_in" | "lwt_out" | "lwt_seg6local" | "tc" | "cgroup_skb";

export interface HelperFact {
  id: number;
  /** Program kinds the kernel offers it to. */
  offers: readonly string[];
}

export const HELPERS: ReadonlyMap<string, HelperFact> = new Map(
  HELPER_TABLE.map((h) => [h.name, { id: h.id, offers: h.kernelOffers }] as const),
);

/**
 * Helpers after which the verifier forgets every packet pointer (the kernel's
 * bpf_helper_changes_pkt_data list, for the program types tsbpf targets).
 */
export const CHANGES_PACKET: ReadonlySet<string> = new Set([
  "bpf_xdp_adjust_head",
  "bpf_xdp_adjust_tail",
  "bpf_xdp_adjust_meta",
  "bpf_skb_change_head",
  "bpf_skb_change_tail",
  "bpf_skb_change_proto",
  "bpf_skb_change_type",
  "bpf_skb_adjust_room",
  "bpf_skb_pull_data",
  "bpf_skb_store_bytes",
  "bpf_skb_vlan_push",
  "bpf_skb_vlan_pop",
  "bpf_l3_csum_replace",
  "bpf_l4_csum_replace",
  "bpf_clone_redirect",
  "bpf_lwt_push_encap",
  "bpf_lwt_seg6_store_bytes",
  "bpf_lwt_seg6_adjust_srh",
  "bpf_lwt_seg6_action",
]);

export function helperAllowed(h: HelperFact, kind: ProgramKind): boolean {
  return h.offers.includes(kind);
}

export interface ContextField {
  offset: number;
  size: 1 | 2 | 4 | 8;
  /** Stdlib alias of the field ("u32", "be32"). */
  type: string;
  writable: boolean;
}

export interface ContextFacts {
  /** The context interface ("XdpContext", "LwtXmitContext"...). */
  name: string;
  struct: string;
  /** Offsets of the u32 fields the verifier rewrites to packet pointers. */
  data: number;
  dataEnd: number;
  /** Offset of data_meta, when the program type may read it (XDP, tc). */
  dataMeta?: number;
  fields: ReadonlyMap<string, ContextField>;
}

const contextCache = new Map<string, ContextFacts>();

/** Facts for a context interface, or undefined when it is not one. */
export function contextFacts(name: string): ContextFacts | undefined {
  const cached = contextCache.get(name);
  if (cached) return cached;
  const ctx = CONTEXTS[name];
  const struct = ctx && CONTEXT_STRUCTS[ctx.struct];
  if (!ctx || !struct) return undefined;
  const fields = new Map<string, ContextField>();
  for (const f of struct.fields) {
    const access = ctx.access[f.name];
    if (!access || f.name === "data" || f.name === "data_end" || f.name === "data_meta") continue;
    if (![1, 2, 4, 8].includes(f.size)) continue;
    fields.set(f.name, {
      offset: f.offset,
      size: f.size as 1 | 2 | 4 | 8,
      type: f.type,
      writable: access === "rw",
    });
  }
  const off = (n: string) => struct.fields.find((f) => f.name === n)?.offset ?? 0;
  const facts: ContextFacts = {
    name,
    struct: ctx.struct,
    data: off("data"),
    dataEnd: off("data_end"),
    ...(ctx.access["data_meta"] ? { dataMeta: off("data_meta") } : {}),
    fields,
  };
  contextCache.set(name, facts);
  return facts;
}

export const DECLARATORS: ReadonlySet<string> = new Set(SECTIONS.map((s) => s.declarator));

/** The section a declarator with these options selects, or undefined. */
export function sectionFor(
  declarator: string,
  options: Record<string, string | boolean>,
): SectionInfo | undefined {
  const keys = Object.keys(options).filter((k) => options[k] !== false);
  return SECTIONS.find(
    (s) =>
      s.declarator === declarator &&
      Object.keys(s.options).length === keys.length &&
      keys.every((k) => s.options[k] === options[k]),
  );
}

/** The helper table's name for a section's program kind. */
export function kindOfSection(s: SectionInfo): ProgramKind {
  const base = s.section.split("/")[0]!;
  return (base.startsWith("xdp") ? "xdp" : base) as ProgramKind;
}
